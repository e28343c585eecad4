package org.isthmus.sip;

import java.util.Objects;
import java.util.OptionalInt;

import org.isthmus.mapping.error.SipStatus;

/**
 * The gateway's refusal of a request before the edge reads it further ({@link SipHandler#admit}): a
 * status, and for a passing condition the seconds after which the client may try again, sent as a
 * Retry-After header (RFC 3261 §20.33, §21.5.4: 503 Service Unavailable with Retry-After).
 *
 * @param status     the final status, 4xx to 6xx
 * @param retryAfter the Retry-After delta-seconds, if any
 */
public record SipRefusal(SipStatus status, OptionalInt retryAfter) {
    public SipRefusal {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (status.code() < 400) {
            throw new IllegalArgumentException("a refusal is a 4xx to 6xx status: " + status.code());
        }
        if (retryAfter.isPresent() && retryAfter.getAsInt() < 0) {
            throw new IllegalArgumentException("Retry-After is negative");
        }
    }

    /** A refusal without Retry-After, e.g. 403 for a refused partner (RFC 3261 §21.4.4). */
    public static SipRefusal of(int code) {
        return new SipRefusal(SipStatus.of(code), OptionalInt.empty());
    }

    /** 503 Service Unavailable with Retry-After (RFC 3261 §21.5.4): too much from this source for now. */
    public static SipRefusal busy(int retryAfterSeconds) {
        return new SipRefusal(SipStatus.of(503), OptionalInt.of(retryAfterSeconds));
    }
}
