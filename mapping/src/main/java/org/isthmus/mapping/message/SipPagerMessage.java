package org.isthmus.mapping.message;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.address.SipUri;

/**
 * A SIP MESSAGE request in pager mode (RFC 3428) as the gateway sees it: the headers RFC 7572 maps and
 * the body as raw bytes, decoded only by the translator that knows its charset.
 *
 * @param from        the From URI (the sender's address of record)
 * @param to          the To URI
 * @param requestUri  the Request-URI; for a received request the address it was sent to, for one to
 *                    send the address of the recipient before routing
 * @param callId      the Call-ID, if known (a received request always has one)
 * @param contentType the Content-Type of the body
 * @param body        the body bytes (copied; never shared)
 * @param language    the Content-Language, if any
 * @param subject     the Subject header, if any
 * @param authenticationResults an RFC 8601 Authentication-Results value to send with the request: the
 *                    gateway's check of an end-to-end signature, when it tags messages; never read
 *                    from a received request
 */
public record SipPagerMessage(SipUri from, SipUri to, SipUri requestUri, Optional<String> callId,
                              MediaType contentType, byte[] body, Optional<String> language,
                              Optional<String> subject, Optional<String> authenticationResults) {
    public SipPagerMessage {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(requestUri, "requestUri");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(authenticationResults, "authenticationResults");
        body = body.clone();
    }

    /** A request without an Authentication-Results value. */
    public SipPagerMessage(SipUri from, SipUri to, SipUri requestUri, Optional<String> callId, MediaType contentType,
                           byte[] body, Optional<String> language, Optional<String> subject) {
        this(from, to, requestUri, callId, contentType, body, language, subject, Optional.empty());
    }

    /** A copy of the body bytes. */
    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The body length in bytes, without copying. */
    public int bodyLength() {
        return body.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SipPagerMessage m && from.equals(m.from) && to.equals(m.to)
                && requestUri.equals(m.requestUri) && callId.equals(m.callId)
                && contentType.equals(m.contentType) && Arrays.equals(body, m.body)
                && language.equals(m.language) && subject.equals(m.subject)
                && authenticationResults.equals(m.authenticationResults);
    }

    @Override
    public int hashCode() {
        return Objects.hash(from, to, requestUri, callId, contentType, Arrays.hashCode(body), language, subject,
                authenticationResults);
    }

    @Override
    public String toString() {
        return "SipPagerMessage[from=" + from + ", to=" + to + ", requestUri=" + requestUri + ", callId="
                + callId.orElse("-") + ", contentType=" + contentType + ", body=" + body.length + " bytes]";
    }
}
