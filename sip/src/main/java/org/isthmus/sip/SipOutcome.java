package org.isthmus.sip;

import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.error.SipStatus;

/**
 * The final outcome of a request the edge sent: the status received, or the one RFC 3261 §8.1.3.1
 * prescribes for a timeout (408) or a transport error (503).
 *
 * @param status  the final status and reason phrase
 * @param contact the Contact URI of a 3xx response, if it had one
 */
public record SipOutcome(SipStatus status, Optional<String> contact) {
    public SipOutcome {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(contact, "contact");
    }

    /** An outcome without a Contact. */
    public static SipOutcome of(SipStatus status) {
        return new SipOutcome(status, Optional.empty());
    }
}
