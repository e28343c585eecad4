package org.isthmus.sip;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

import org.isthmus.mapping.error.SipStatus;

/**
 * The registrar's answer to a REGISTER (RFC 3261 §10.3 step 8, §20.23 for 423).
 *
 * @param status     the final status to send
 * @param bindings   on 2xx, every current binding of the address of record, with the seconds it has
 *                   left as its expires
 * @param minExpires on 423, the Min-Expires value to send
 */
public record RegisterOutcome(SipStatus status, List<SipBinding> bindings, OptionalInt minExpires) {
    public RegisterOutcome {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(minExpires, "minExpires");
        bindings = List.copyOf(bindings);
    }

    /** A 200 OK listing the current bindings. */
    public static RegisterOutcome ok(List<SipBinding> bindings) {
        return new RegisterOutcome(SipStatus.of(200), bindings, OptionalInt.empty());
    }

    /** A 423 Interval Too Brief with the smallest expiration the registrar accepts. */
    public static RegisterOutcome intervalTooBrief(int minExpires) {
        return new RegisterOutcome(SipStatus.of(423), List.of(), OptionalInt.of(minExpires));
    }

    /** A failure status without bindings. */
    public static RegisterOutcome failed(SipStatus status) {
        return new RegisterOutcome(status, List.of(), OptionalInt.empty());
    }
}
