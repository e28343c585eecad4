package org.isthmus.mapping.message;

import java.util.Objects;
import java.util.Optional;

/**
 * The {@code <e2e xmlns='urn:ietf:params:xml:ns:xmpp-e2e'/>} payload of a stanza (RFC 3923 §9), and
 * what the gateway found when it checked the signature, if it did.
 *
 * @param text                  the element's character data: an S/MIME object (see {@link SecuredObject})
 * @param authenticationResults the result of the gateway's signature check as an RFC 8601
 *                              Authentication-Results value, written beside the payload as a
 *                              XEP-0131 header; empty unless the gateway tags messages
 */
public record E2ePayload(String text, Optional<String> authenticationResults) {
    public E2ePayload {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(authenticationResults, "authenticationResults");
    }

    /** A payload without a tag. */
    public static E2ePayload of(String text) {
        return new E2ePayload(text, Optional.empty());
    }
}
