package org.isthmus.sip;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.SubjectHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;

import gov.nist.javax.sip.header.HeaderExt;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SipPagerMessage;

/**
 * Reads received JAIN-SIP requests into the mapping module's values, refusing what the gateway cannot
 * take with the status RFC 3261 prescribes: 416 for a URI scheme other than sip or sips (§8.2.2.1),
 * 400 for a malformed URI or header (§8.2.2), 400 for a body without a Content-Type (§7.4.1).
 */
final class RequestReader {

    private static final int MAX_REASON_DETAIL = 120;

    private RequestReader() {
    }

    /** A pager-mode MESSAGE (RFC 3428 §7). */
    static Read<SipPagerMessage> message(Request request) {
        try {
            SipUri requestUri = sipUri(request.getRequestURI(), "Request-URI");
            SipUri from = sipUri(((FromHeader) request.getHeader(FromHeader.NAME)).getAddress().getURI(), "From");
            SipUri to = sipUri(((ToHeader) request.getHeader(ToHeader.NAME)).getAddress().getURI(), "To");
            String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
            byte[] body = request.getRawContent();
            if (body == null) {
                body = new byte[0];
            }
            ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
            MediaType mediaType;
            if (type != null) {
                mediaType = mediaType(type);
            } else if (body.length == 0) {
                mediaType = MediaType.TEXT_PLAIN_UTF8;
            } else {
                throw new Refusal(400, "Missing Content-Type");
            }
            Optional<String> language = firstValue(request, "Content-Language")
                    .map(v -> v.split(",", 2)[0].strip())
                    .filter(v -> !v.isEmpty());
            SubjectHeader subject = (SubjectHeader) request.getHeader(SubjectHeader.NAME);
            return new Read.Ok<>(new SipPagerMessage(from, to, requestUri, Optional.of(callId), mediaType, body,
                    language, Optional.ofNullable(subject).map(SubjectHeader::getSubject)));
        } catch (Refusal r) {
            return new Read.Refused<>(r.status);
        }
    }

    /** A REGISTER (RFC 3261 §10.3), with the wildcard rule of step 6 checked. */
    static Read<SipRegistration> registration(Request request, SipHop source) {
        try {
            sipUri(request.getRequestURI(), "Request-URI");
            SipUri aor = sipUri(((ToHeader) request.getHeader(ToHeader.NAME)).getAddress().getURI(), "To")
                    .addressOfRecord();
            boolean wildcard = false;
            List<SipBinding> bindings = new ArrayList<>();
            ListIterator<?> contacts = request.getHeaders(ContactHeader.NAME);
            while (contacts != null && contacts.hasNext()) {
                ContactHeader contact = (ContactHeader) contacts.next();
                if (contact.isWildCard()) {
                    wildcard = true;
                    continue;
                }
                SipUri uri = sipUri(contact.getAddress().getURI(), "Contact");
                int expires = contact.getExpires();
                bindings.add(new SipBinding(uri, expires >= 0 ? OptionalInt.of(expires) : OptionalInt.empty()));
            }
            ExpiresHeader expiresHeader = (ExpiresHeader) request.getHeader(ExpiresHeader.NAME);
            OptionalInt expires = expiresHeader == null ? OptionalInt.empty() : OptionalInt.of(expiresHeader.getExpires());
            if (wildcard && (!bindings.isEmpty() || expires.isEmpty() || expires.getAsInt() != 0)) {
                throw new Refusal(400, "Contact * needs Expires: 0 and no other Contact");
            }
            String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
            long cseq = ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
            return new Read.Ok<>(new SipRegistration(aor, bindings, wildcard, expires, callId, cseq, source));
        } catch (Refusal r) {
            return new Read.Refused<>(r.status);
        }
    }

    /** Checks that a URI is sip or sips; 416 otherwise (RFC 3261 §8.2.2.1). */
    static Optional<SipStatus> checkScheme(URI uri) {
        try {
            sipUri(uri, "Request-URI");
            return Optional.empty();
        } catch (Refusal r) {
            return Optional.of(r.status);
        }
    }

    private static SipUri sipUri(URI uri, String where) throws Refusal {
        if (uri == null) {
            throw new Refusal(400, "Missing " + where);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("sip") && !scheme.equals("sips")) {
            throw new Refusal(416, null);
        }
        Mapped<SipUri> parsed = SipUri.parse(uri.toString());
        if (parsed instanceof Mapped.Ok<SipUri> ok) {
            return ok.value();
        }
        throw new Refusal(400, "Malformed " + where);
    }

    /** The media type of a Content-Type header; empty if it is malformed. */
    static Optional<MediaType> mediaTypeOf(ContentTypeHeader header) {
        try {
            return Optional.of(mediaType(header));
        } catch (Refusal r) {
            return Optional.empty();
        }
    }

    private static MediaType mediaType(ContentTypeHeader header) throws Refusal {
        String type = header.getContentType();
        String subtype = header.getContentSubType();
        if (type == null || subtype == null || type.isBlank() || subtype.isBlank()) {
            throw new Refusal(400, "Malformed Content-Type");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        Iterator<?> names = header.getParameterNames();
        while (names != null && names.hasNext()) {
            String name = (String) names.next();
            String value = header.getParameter(name);
            parameters.putIfAbsent(name.toLowerCase(Locale.ROOT), value == null ? "" : value);
        }
        return new MediaType(type, subtype, parameters);
    }

    /** The value of the first header named {@code name}, as it appeared on the wire. */
    private static Optional<String> firstValue(Request request, String name) {
        Header header = request.getHeader(name);
        if (header instanceof HeaderExt ext) {
            return Optional.ofNullable(ext.getValue()).map(String::strip);
        }
        return Optional.empty();
    }

    /** A reason phrase safe to send: control characters removed, length capped. */
    static String reasonPhrase(String reason) {
        StringBuilder sb = new StringBuilder(Math.min(reason.length(), MAX_REASON_DETAIL));
        for (int i = 0; i < reason.length() && sb.length() < MAX_REASON_DETAIL; i++) {
            char c = reason.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        String s = sb.toString().strip();
        return s.isEmpty() ? "Unknown" : s;
    }

    /** A refusal raised while reading; caught at the entry points and turned into {@link Read.Refused}. */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;

        private final transient SipStatus status;

        Refusal(int code, String detail) {
            super(null, null, false, false);
            this.status = detail == null ? SipStatus.of(code) : new SipStatus(code, detail);
        }
    }
}
