package org.isthmus.sip.presence;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import org.isthmus.sip.SipOutcome;

/**
 * The outcome of a PUBLISH the edge sent (RFC 3903 §6).
 *
 * @param outcome    the final response (408 on timeout, 503 on a transport error). A 423 was already
 *                   retried once with the server's Min-Expires (RFC 3903 §6 step 5); a 412 Conditional
 *                   Request Failed means the server has no publication for the entity tag and the
 *                   caller publishes again from scratch, without SIP-If-Match and with the full state
 *                   (§6 step 2, §4.1)
 * @param entityTag  on 2xx, the SIP-ETag to put in SIP-If-Match next time (§11.3.1)
 * @param expires    on 2xx, the seconds the server keeps the publication (its Expires, §6 step 7)
 */
public record PublishOutcome(SipOutcome outcome, Optional<String> entityTag, OptionalLong expires) {
    public PublishOutcome {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(entityTag, "entityTag");
        Objects.requireNonNull(expires, "expires");
    }

    /** True for 412: re-publish from scratch (RFC 3903 §6 step 2). */
    public boolean publicationUnknown() {
        return outcome.status().code() == 412;
    }
}
