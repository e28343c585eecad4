package org.isthmus.mapping.message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.cpim.CpimAddress;
import org.isthmus.mapping.document.cpim.CpimDocument;
import org.isthmus.mapping.document.cpim.CpimHeader;
import org.isthmus.mapping.document.cpim.MimeEntity;
import org.isthmus.mapping.document.cpim.MimeHeader;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * The neutral message in and out of a Message/CPIM object, as RFC 3922 §4 maps XMPP messages to CPIM
 * and back: §4.1 when wrapping, §4.2 when unwrapping.
 */
public final class CpimWrapper {

    private CpimWrapper() {
    }

    /**
     * What a Message/CPIM object says, after the rules of RFC 3922 §4.2: cc (§4.2.3), DateTime
     * (§4.2.4) and extension headers (§4.2.6) dropped; a Require naming anything beyond the core
     * headers refused (§4.2.7); a text/plain body in US-ASCII or UTF-8 only (§4.2.9).
     *
     * @param from      the CPIM sender, if given
     * @param to        the CPIM recipients
     * @param subjects  the subjects with their {@code ;lang=} (§4.2.5)
     * @param body      the text with the content's Content-Language, if any
     * @param contentId the content's Content-ID without its angle brackets, if any (§4.2.8)
     */
    public record Unwrapped(Optional<ImUri> from, List<ImUri> to, List<LocalizedText> subjects, LocalizedText body,
                            Optional<String> contentId) {
        public Unwrapped {
            to = List.copyOf(to);
            subjects = List.copyOf(subjects);
        }
    }

    /**
     * The Message/CPIM object for a message (RFC 3922 §4.1): From and To are the bare {@code im:}
     * addresses (§4.1.1, §4.1.2: the resource removed), every subject a Subject header with
     * {@code ;lang=} when its language is known (§4.1.6), the primary body the encapsulated
     * {@code text/plain; charset=utf-8} content (§4.1, §4.1.7) with its Content-Language. The type
     * and thread are not carried (§4.1.4, §4.1.5).
     */
    public static CpimDocument wrap(CpimMessage message) {
        List<CpimHeader> headers = new ArrayList<>();
        headers.add(CpimHeader.of("From", "<" + message.from().bare() + ">"));
        headers.add(CpimHeader.of("To", "<" + message.to().bare() + ">"));
        for (LocalizedText s : message.subjects()) {
            headers.add(CpimHeader.text("Subject", s.lang(), s.text()));
        }
        List<MimeHeader> content = new ArrayList<>();
        content.add(new MimeHeader("Content-Type", "text/plain; charset=utf-8"));
        message.lang().ifPresent(l -> content.add(new MimeHeader("Content-Language", l)));
        return CpimDocument.of(headers, new MimeEntity(content, message.body().getBytes(StandardCharsets.UTF_8)));
    }

    /** Reads a Message/CPIM object by RFC 3922 §4.2 (see {@link Unwrapped}). */
    public static Mapped<Unwrapped> unwrap(CpimDocument document) {
        for (CpimDocument.Name required : document.required()) {
            if (!required.isCore()) {
                return Mapped.rejected(StanzaErrorCondition.FEATURE_NOT_IMPLEMENTED,
                        "Message/CPIM requires " + required.localName() + " of " + required.namespace()
                                + ", which this gateway does not implement (RFC 3922 §4.2.7)");
            }
        }
        Optional<ImUri> from = Optional.empty();
        if (document.from().isPresent()) {
            Mapped<ImUri> f = address(document.from().get());
            if (f instanceof Mapped.Failed<ImUri> failed) {
                return Mapped.rejected(failed.rejected());
            }
            from = Optional.of(f.orThrow());
        }
        List<ImUri> to = new ArrayList<>();
        for (CpimAddress a : document.to()) {
            Mapped<ImUri> t = address(a);
            if (t instanceof Mapped.Failed<ImUri> failed) {
                return Mapped.rejected(failed.rejected());
            }
            to.add(t.orThrow());
        }
        List<LocalizedText> subjects = new ArrayList<>();
        for (CpimHeader s : document.subjects()) {
            LocalizedText text = new LocalizedText(s.lang(), s.text());
            if (LocalizedText.inLanguage(subjects, Optional.empty(), text.lang()).isEmpty()) {
                subjects.add(text);
            }
        }
        MimeEntity content = document.content();
        Mapped<MediaType> type = MediaType.parse(content.contentType().orElseThrow());
        if (!type.isOk() || !type.orThrow().is("text", "plain")) {
            return unsupported("Message/CPIM content of type " + content.contentType().orElseThrow()
                    + " has no <body/> mapping (RFC 3922 §4.2.9)");
        }
        // RFC 2046 §4.1.2: text/plain without a charset is US-ASCII.
        String charset = type.orThrow().parameter("charset").orElse("us-ascii").toLowerCase(Locale.ROOT);
        if (!charset.equals("us-ascii") && !charset.equals("utf-8")) {
            return unsupported("Message/CPIM content in charset " + charset
                    + "; only US-ASCII and UTF-8 are mapped (RFC 3922 §4.2.9)");
        }
        Optional<String> encoding = content.header("Content-Transfer-Encoding").map(e -> e.toLowerCase(Locale.ROOT));
        if (encoding.isPresent() && !List.of("7bit", "8bit", "binary").contains(encoding.get())) {
            return unsupported("Message/CPIM content with Content-Transfer-Encoding " + encoding.get());
        }
        Mapped<String> text = SipToCpim.decode(content.body(), charset.equals("us-ascii") ? "US-ASCII" : "UTF-8");
        if (text instanceof Mapped.Failed<String> failed) {
            return Mapped.rejected(failed.rejected());
        }
        Optional<String> lang = content.header("Content-Language").map(SipToCpim::firstLanguage).filter(l -> !l.isEmpty());
        Optional<String> contentId = content.header("Content-ID").map(String::strip)
                .map(id -> id.startsWith("<") && id.endsWith(">") ? id.substring(1, id.length() - 1) : id);
        return Mapped.ok(new Unwrapped(from, to, subjects, new LocalizedText(lang, text.orThrow()), contentId));
    }

    /**
     * The neutral address of a CPIM address: {@code im:} and {@code pres:} URIs (RFC 3860, RFC 3859),
     * and the {@code sip:}/{@code sips:} URIs that SIP user agents put there; the Formal-name dropped
     * (RFC 3922 §4.2.1, §4.2.2).
     */
    static Mapped<ImUri> address(CpimAddress address) {
        String uri = address.uri();
        int colon = uri.indexOf(':');
        String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = uri.substring(colon + 1);
        String sip = switch (scheme) {
            case "im", "pres" -> "sip:" + rest;
            case "sip", "sips" -> uri;
            default -> null;
        };
        Mapped<SipUri> parsed = sip == null || rest.indexOf('@') <= 0 ? null : SipUri.parse(sip);
        if (parsed == null || !parsed.isOk()) {
            return Mapped.rejected(new Rejected(StanzaErrorCondition.JID_MALFORMED,
                    "Message/CPIM address is not an IM address: " + uri, Optional.of(SipStatus.of(400))));
        }
        return ImUri.fromSip(parsed.orThrow());
    }

    private static <T> Mapped<T> unsupported(String text) {
        return Mapped.rejected(new Rejected(StanzaErrorCondition.NOT_ACCEPTABLE, text, Optional.of(SipStatus.of(415))));
    }
}
