package org.isthmus.mapping.message;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Optional;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * From a SIP MESSAGE to the neutral message: RFC 7572 §5 (Table 2), §7 (content types) and §8
 * (languages), with the body decoded from its declared charset (RFC 3261 §7.4.1: UTF-8 if none).
 */
public final class SipToCpim {

    private SipToCpim() {
    }

    /**
     * Translates a received MESSAGE.
     *
     * @param message      the request
     * @param addresses    the address rules, used to tell XMPP users from others
     * @param maxBodyBytes the largest body accepted, in bytes
     */
    public static Mapped<CpimMessage> translate(SipPagerMessage message, AddressMapper addresses, int maxBodyBytes) {
        MediaType type = message.contentType();
        // RFC 7572 §7: text/plain MUST be handled; other types are the gateway's choice. RFC 3428 §7: 415.
        if (!type.is("text", "plain")) {
            return reject(StanzaErrorCondition.NOT_ACCEPTABLE, 415,
                    "only text/plain bodies are translated, not " + type.type() + "/" + type.subtype());
        }
        if (message.bodyLength() > maxBodyBytes) {
            return reject(StanzaErrorCondition.POLICY_VIOLATION, 413,
                    "body of " + message.bodyLength() + " bytes exceeds the limit of " + maxBodyBytes);
        }
        Mapped<String> text = decode(message.body(), type.parameter("charset").orElse("UTF-8"));
        if (!text.isOk()) {
            return text.map(t -> null);
        }
        Mapped<ImUri> from = ImUri.fromSip(message.from());
        if (!from.isOk()) {
            return reject(StanzaErrorCondition.BAD_REQUEST, 400, "From has no user part");
        }
        if (addresses.isXmppUser(from.orThrow())) {
            return reject(StanzaErrorCondition.FORBIDDEN, 403,
                    "From claims a user of XMPP domain " + from.orThrow().host());
        }
        Mapped<ImUri> to = recipient(message, addresses);
        if (!to.isOk()) {
            return to.map(t -> null);
        }
        Optional<String> lang = message.language().map(l -> l.split(",", 2)[0].strip()).filter(l -> !l.isEmpty());
        return Mapped.ok(new CpimMessage(from.orThrow(), to.orThrow(), text.orThrow(), lang, message.subject(),
                message.callId()));
    }

    /** RFC 7572 Table 2: "Request-URI or To", whichever names a user of a served XMPP domain. */
    private static Mapped<ImUri> recipient(SipPagerMessage message, AddressMapper addresses) {
        for (SipUri candidate : new SipUri[] {message.requestUri(), message.to()}) {
            Mapped<ImUri> uri = ImUri.fromSip(candidate);
            if (uri.isOk() && addresses.isXmppUser(uri.orThrow())) {
                return uri;
            }
        }
        return reject(StanzaErrorCondition.ITEM_NOT_FOUND, 404,
                "no XMPP domain served here for " + message.requestUri().host());
    }

    /** Decodes strictly: malformed bytes are refused rather than replaced, so no text is silently altered. */
    static Mapped<String> decode(byte[] body, String charsetName) {
        Charset charset;
        try {
            charset = Charset.forName(charsetName);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return reject(StanzaErrorCondition.NOT_ACCEPTABLE, 415, "unsupported charset " + charsetName);
        }
        String text;
        try {
            text = charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return reject(StanzaErrorCondition.BAD_REQUEST, 400, "body is not valid " + charset.name());
        }
        if (charset.equals(StandardCharsets.UTF_8) && text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        int bad = firstNonXmlChar(text);
        if (bad >= 0) {
            return reject(StanzaErrorCondition.BAD_REQUEST, 400,
                    String.format("body contains U+%04X, which XML 1.0 cannot carry", bad));
        }
        return Mapped.ok(normalizeLineBreaks(text));
    }

    /**
     * MIME text uses CRLF line breaks (RFC 2046 §4.1.1); XML text uses LF, and every XML parser on the
     * way turns CRLF and lone CR into LF anyway (XML 1.0 §2.11). Doing it here makes the delivered text
     * the same whichever XMPP server is in between.
     */
    static String normalizeLineBreaks(String text) {
        if (text.indexOf('\r') < 0) {
            return text;
        }
        return text.replace("\r\n", "\n").replace('\r', '\n');
    }

    /** The first code point outside XML 1.0's Char production (§2.2), or -1. */
    static int firstNonXmlChar(String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            boolean ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF)
                    || (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
            if (!ok) {
                return cp;
            }
            i += Character.charCount(cp);
        }
        return -1;
    }

    private static <T> Mapped<T> reject(StanzaErrorCondition condition, int sipCode, String text) {
        return Mapped.rejected(new Rejected(condition, text, Optional.of(new SipStatus(sipCode, null))));
    }
}
