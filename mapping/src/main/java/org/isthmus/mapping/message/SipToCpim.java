package org.isthmus.mapping.message;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.AddressMapping;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.cpim.CpimDecoder;
import org.isthmus.mapping.document.cpim.CpimDocument;
import org.isthmus.mapping.document.cpim.MimeEntity;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * From a SIP MESSAGE to the neutral message: RFC 7572 §5 (Table 2), §7 (content types) and §8
 * (languages), with the body decoded from its declared charset (RFC 3261 §7.4.1: UTF-8 if none).
 *
 * <p>Bodies by type (RFC 7572 §7):
 * <ul>
 *   <li>{@code text/plain}: the text, in the MESSAGE's Content-Language.</li>
 *   <li>{@code text/html}: a plain-text body made by stripping the markup, and the XHTML-IM form
 *       that §7 requires of a gateway that processes HTML (see {@link HtmlText}).</li>
 *   <li>{@code message/cpim} (RFC 3862): unwrapped by RFC 3922 §4.2 ({@link CpimWrapper}); its From
 *       must be the MESSAGE's sender and its To, if any, include the recipient, since the stanza is
 *       addressed from the SIP headers and a wrapper claiming someone else is either forged or
 *       misrouted (RFC 3862 §9, RFC 3428 §11). Its subjects replace the SIP Subject.</li>
 *   <li>{@code multipart/alternative} (RFC 2046 §5.1.4): a part per language becomes a body per
 *       language, each in its part's Content-Language; within one language {@code text/plain} is the
 *       body and {@code text/html} gives the XHTML-IM. The primary body is the one in the MESSAGE's
 *       Content-Language, else the last, which §5.1.4 makes the preferred alternative.</li>
 *   <li>{@code multipart/signed} and {@code application/pkcs7-mime}: an end-to-end secured object
 *       (RFC 3923 §8), relayed untouched by {@link #translateSecured}.</li>
 *   <li>Anything else: 415 (RFC 3428 §7, RFC 3261 §21.4.13), the edge listing {@link #ACCEPT}.</li>
 * </ul>
 */
public final class SipToCpim {

    /**
     * The body types this translator reads, as the value of the Accept header the SIP edge sends with
     * a 415 (RFC 3261 §21.4.13) and in answers to OPTIONS.
     */
    public static final String ACCEPT = "text/plain, text/html, message/cpim, multipart/alternative, multipart/signed, "
            + "application/pkcs7-mime";

    private SipToCpim() {
    }

    /**
     * Translates a received MESSAGE.
     *
     * @param message      the request
     * @param addresses    the address rules, used to tell XMPP users from others
     * @param maxBodyBytes the largest body accepted, in bytes
     */
    public static Mapped<CpimMessage> translate(SipPagerMessage message, AddressMapping addresses, int maxBodyBytes) {
        MediaType type = message.contentType();
        if (!isSupported(type)) {
            return unsupported(type);
        }
        Mapped<ImUri> from = sender(message, addresses, maxBodyBytes);
        if (!from.isOk()) {
            return from.map(f -> null);
        }
        Mapped<ImUri> to = recipient(message, addresses);
        if (!to.isOk()) {
            return to.map(t -> null);
        }
        Optional<String> lang = message.language().map(SipToCpim::firstLanguage).filter(l -> !l.isEmpty());
        List<LocalizedText> subjects = message.subject().map(s -> new LocalizedText(lang, s)).stream().toList();
        Mapped<Content> content;
        if (type.is("message", "cpim")) {
            content = cpim(message, maxBodyBytes, from.orThrow(), to.orThrow(), lang);
        } else {
            content = read(type, message.body(), lang, maxBodyBytes, true);
        }
        if (content instanceof Mapped.Failed<Content> failed) {
            return Mapped.rejected(failed.rejected());
        }
        Content c = content.orThrow();
        return Mapped.ok(new CpimMessage(from.orThrow(), to.orThrow(), c.bodies(),
                c.subjects().isEmpty() ? subjects : c.subjects(), message.callId(), c.xhtml()));
    }

    /**
     * Translates a received MESSAGE whose body is an S/MIME object (RFC 3428 §11.3): the addresses as
     * for any MESSAGE, the body relayed untouched (RFC 3923 §8).
     *
     * @param maxBodyBytes the largest body accepted, in bytes
     */
    public static Mapped<SecuredMessage> translateSecured(SipPagerMessage message, AddressMapping addresses,
                                                          int maxBodyBytes) {
        if (!SecuredObject.isSecured(message.contentType())) {
            return unsupported(message.contentType());
        }
        if (message.bodyLength() == 0) {
            return reject(StanzaErrorCondition.BAD_REQUEST, 400, "an S/MIME body cannot be empty");
        }
        return sender(message, addresses, maxBodyBytes).then(from -> recipient(message, addresses)
                .map(to -> new SecuredMessage(from, to, new SecuredObject(message.contentType(), message.body()),
                        message.callId())));
    }

    /**
     * The checks every MESSAGE passes before its body is read: the body within the limit (413), and
     * a sender that is a SIP-side user, never one of the XMPP domains the gateway serves (403).
     */
    private static Mapped<ImUri> sender(SipPagerMessage message, AddressMapping addresses, int maxBodyBytes) {
        if (message.bodyLength() > maxBodyBytes) {
            return reject(StanzaErrorCondition.POLICY_VIOLATION, 413,
                    "body of " + message.bodyLength() + " bytes exceeds the limit of " + maxBodyBytes);
        }
        Mapped<ImUri> from = addresses.fromSip(message.from());
        if (!from.isOk()) {
            return reject(StanzaErrorCondition.BAD_REQUEST, 400, "From has no user part");
        }
        if (addresses.isXmppUser(from.orThrow())) {
            return reject(StanzaErrorCondition.FORBIDDEN, 403,
                    "From claims a user of XMPP domain " + from.orThrow().host());
        }
        return from;
    }

    /** What a body says: texts by language (primary first), the XHTML-IM of the primary, CPIM subjects. */
    private record Content(List<LocalizedText> bodies, Optional<XhtmlIm> xhtml, List<LocalizedText> subjects) {
    }

    private static boolean isSupported(MediaType type) {
        return type.is("text", "plain") || type.is("text", "html") || type.is("message", "cpim")
                || type.is("multipart", "alternative");
    }

    private static Mapped<Content> read(MediaType type, byte[] body, Optional<String> lang, int maxBodyBytes,
                                        boolean multipartAllowed) {
        if (type.is("text", "plain") || type.is("text", "html")) {
            Mapped<String> text = decode(body, type.parameter("charset").orElse("UTF-8"));
            if (text instanceof Mapped.Failed<String> failed) {
                return Mapped.rejected(failed.rejected());
            }
            if (type.is("text", "plain")) {
                return Mapped.ok(new Content(List.of(new LocalizedText(lang, text.orThrow())), Optional.empty(),
                        List.of()));
            }
            HtmlText.Converted html = HtmlText.convert(text.orThrow());
            return Mapped.ok(new Content(List.of(new LocalizedText(lang, html.plain())), Optional.of(html.xhtml()),
                    List.of()));
        }
        if (multipartAllowed && type.is("multipart", "alternative")) {
            return alternative(type, body, lang, maxBodyBytes);
        }
        return unsupported(type);
    }

    private static Mapped<Content> alternative(MediaType type, byte[] body, Optional<String> lang, int maxBodyBytes) {
        Optional<String> boundary = type.parameter("boundary");
        if (boundary.isEmpty()) {
            return reject(StanzaErrorCondition.BAD_REQUEST, 400, "multipart body without a boundary parameter");
        }
        Mapped<List<MimeEntity>> parts = Multipart.split(body, boundary.get(), decoder(maxBodyBytes));
        if (parts instanceof Mapped.Failed<List<MimeEntity>> failed) {
            return Mapped.rejected(failed.rejected());
        }
        List<LocalizedText> plain = new ArrayList<>();
        List<LocalizedText> html = new ArrayList<>();
        List<XhtmlIm> xhtml = new ArrayList<>();
        for (MimeEntity part : parts.orThrow()) {
            // RFC 2046 §5.1: a part without Content-Type is text/plain in US-ASCII.
            Mapped<MediaType> partType = MediaType.parse(part.contentType().orElse("text/plain; charset=us-ascii"));
            if (!partType.isOk() || !(partType.orThrow().is("text", "plain") || partType.orThrow().is("text", "html"))) {
                continue;
            }
            Optional<String> partLang = part.header("Content-Language").map(SipToCpim::firstLanguage)
                    .filter(l -> !l.isEmpty()).or(() -> lang);
            Mapped<Content> c = read(partType.orThrow(), part.body(), partLang, maxBodyBytes, false);
            if (c instanceof Mapped.Failed<Content> failed) {
                return Mapped.rejected(failed.rejected());
            }
            LocalizedText text = c.orThrow().bodies().get(0);
            if (c.orThrow().xhtml().isPresent()) {
                html.add(text);
                xhtml.add(c.orThrow().xhtml().get());
            } else {
                plain.add(text);
            }
        }
        // One body per language: its text/plain part if it has one, else the text of its HTML part.
        List<LocalizedText> bodies = new ArrayList<>();
        for (LocalizedText t : plain) {
            if (LocalizedText.inLanguage(bodies, Optional.empty(), t.lang()).isEmpty()) {
                bodies.add(t);
            }
        }
        for (LocalizedText t : html) {
            if (LocalizedText.inLanguage(bodies, Optional.empty(), t.lang()).isEmpty()) {
                bodies.add(t);
            }
        }
        if (bodies.isEmpty()) {
            return unsupported(type);
        }
        LocalizedText primary = lang.flatMap(l -> LocalizedText.inLanguage(bodies, Optional.empty(), Optional.of(l)))
                .orElse(bodies.get(bodies.size() - 1));
        List<LocalizedText> ordered = new ArrayList<>();
        ordered.add(primary);
        bodies.stream().filter(b -> b != primary).forEach(ordered::add);
        Optional<XhtmlIm> primaryHtml = Optional.empty();
        for (int i = 0; i < html.size(); i++) {
            if (LocalizedText.sameLanguage(html.get(i).lang(), primary.lang())) {
                primaryHtml = Optional.of(xhtml.get(i));
                break;
            }
        }
        return Mapped.ok(new Content(ordered, primaryHtml, List.of()));
    }

    /**
     * A Message/CPIM body (RFC 3862), unwrapped by RFC 3922 §4.2, its addresses checked against the
     * MESSAGE's own.
     */
    private static Mapped<Content> cpim(SipPagerMessage message, int maxBodyBytes, ImUri from, ImUri to,
                                        Optional<String> lang) {
        Mapped<CpimDocument> document = decoder(maxBodyBytes).decode(message.body());
        if (document instanceof Mapped.Failed<CpimDocument> failed) {
            return Mapped.rejected(failed.rejected());
        }
        Mapped<CpimWrapper.Unwrapped> unwrapped = CpimWrapper.unwrap(document.orThrow());
        if (unwrapped instanceof Mapped.Failed<CpimWrapper.Unwrapped> failed) {
            return Mapped.rejected(failed.rejected());
        }
        CpimWrapper.Unwrapped u = unwrapped.orThrow();
        if (u.from().isPresent() && !sameUser(u.from().get(), from)) {
            return reject(StanzaErrorCondition.FORBIDDEN, 403, "Message/CPIM From " + u.from().get().bare()
                    + " is not the MESSAGE's sender " + from.bare());
        }
        if (!u.to().isEmpty() && u.to().stream().noneMatch(t -> sameUser(t, to))) {
            return reject(StanzaErrorCondition.FORBIDDEN, 403, "Message/CPIM To does not name the recipient " + to.bare());
        }
        LocalizedText body = u.body().lang().isPresent() ? u.body() : new LocalizedText(lang, u.body().text());
        return Mapped.ok(new Content(List.of(body), Optional.empty(), u.subjects()));
    }

    /** Same user and host; the instance (GRUU) does not matter, CPIM addresses being bare (RFC 3922 §4.1.1). */
    private static boolean sameUser(ImUri a, ImUri b) {
        return a.user().equals(b.user()) && a.host().equals(b.host());
    }

    private static CpimDecoder decoder(int maxBodyBytes) {
        return new CpimDecoder(Math.max(1, maxBodyBytes), CpimDecoder.DEFAULT_MAX_HEADERS,
                CpimDecoder.DEFAULT_MAX_LINE_LENGTH);
    }

    /** The first tag of a Content-Language list (RFC 3261 §20.13). */
    static String firstLanguage(String contentLanguage) {
        return contentLanguage.split(",", 2)[0].strip();
    }

    /** RFC 7572 Table 2: "Request-URI or To", whichever names a user of a served XMPP domain. */
    private static Mapped<ImUri> recipient(SipPagerMessage message, AddressMapping addresses) {
        for (SipUri candidate : new SipUri[] {message.requestUri(), message.to()}) {
            Mapped<ImUri> uri = addresses.fromSip(candidate);
            if (uri.isOk() && addresses.isXmppUser(uri.orThrow())) {
                return uri;
            }
        }
        return reject(StanzaErrorCondition.ITEM_NOT_FOUND, 404,
                "no XMPP domain served here for " + message.requestUri().host());
    }

    private static <T> Mapped<T> unsupported(MediaType type) {
        return reject(StanzaErrorCondition.NOT_ACCEPTABLE, 415, "a body of type " + type.type() + "/" + type.subtype()
                + " is not translated; accepted: " + ACCEPT);
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
