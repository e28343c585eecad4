package org.isthmus.mapping.subscription;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.MappingException;

/**
 * The value of a NOTIFY's {@code Subscription-State} header field (RFC 6665 §4.1.3, §4.2.2, ABNF in
 * §8.4): active, pending, or terminated with its reason and {@code retry-after}.
 *
 * <p>{@link #parse} accepts what the ABNF allows and refuses, as a {@link Mapped} failure with the
 * offset, anything else: an empty or over-long value, control characters, an unterminated quoted
 * string, a repeated {@code reason}, {@code expires} or {@code retry-after}, a non-numeric
 * delta-seconds, and an extension substate (RFC 6665 §4.2.2 allows only the three defined ones in a
 * NOTIFY). Parameters that have no meaning for the state are ignored, as §4.1.3 requires for
 * {@code expires} on {@code terminated}; unknown generic parameters are skipped.
 */
public sealed interface SubscriptionState {

    /** The longest header value {@link #parse(String)} reads; a real one is a few dozen characters. */
    int DEFAULT_MAX_LENGTH = 1024;

    /** The largest delta-seconds (RFC 3261 §20.19); larger values count as this one (RFC 3261 §10.2.1). */
    long MAX_DELTA_SECONDS = 4_294_967_295L;

    /** The substate token: {@code active}, {@code pending} or {@code terminated}. */
    String substate();

    /**
     * The subscription is accepted and authorized (RFC 6665 §4.1.3).
     *
     * @param expires the authoritative remaining duration in seconds, if given
     */
    record Active(OptionalLong expires) implements SubscriptionState {
        public Active {
            checkDelta(expires, "expires");
        }

        /** An active state with the given remaining duration. */
        public static Active of(long expires) {
            return new Active(OptionalLong.of(expires));
        }

        @Override
        public String substate() {
            return "active";
        }
    }

    /**
     * The notifier has the request but no policy decision yet (RFC 6665 §4.1.3).
     *
     * @param expires the authoritative remaining duration in seconds, if given
     */
    record Pending(OptionalLong expires) implements SubscriptionState {
        public Pending {
            checkDelta(expires, "expires");
        }

        /** A pending state with the given remaining duration. */
        public static Pending of(long expires) {
            return new Pending(OptionalLong.of(expires));
        }

        @Override
        public String substate() {
            return "pending";
        }
    }

    /**
     * The subscription is over (RFC 6665 §4.1.3).
     *
     * @param reason     the reason token as received (case kept), a defined one or an extension
     * @param retryAfter seconds to wait before re-subscribing, if given
     */
    record Terminated(Optional<String> reason, OptionalLong retryAfter) implements SubscriptionState {
        public Terminated {
            Objects.requireNonNull(reason, "reason");
            reason.ifPresent(r -> {
                if (!Tokens.isToken(r)) {
                    throw new MappingException("reason is not a SIP token: " + r);
                }
            });
            checkDelta(retryAfter, "retry-after");
        }

        /** Terminated for a defined reason, with no {@code retry-after}. */
        public static Terminated of(TerminationReason reason) {
            return new Terminated(Optional.of(reason.token()), OptionalLong.empty());
        }

        /** Terminated with no reason (RFC 6665 §4.1.3: the subscriber may re-subscribe at any time). */
        public static Terminated withoutReason() {
            return new Terminated(Optional.empty(), OptionalLong.empty());
        }

        /** A copy with the given {@code retry-after}. */
        public Terminated withRetryAfter(long seconds) {
            return new Terminated(reason, OptionalLong.of(seconds));
        }

        /** The reason if it is one RFC 6665 defines; empty for none or an extension reason. */
        public Optional<TerminationReason> knownReason() {
            return reason.flatMap(TerminationReason::fromToken);
        }

        @Override
        public String substate() {
            return "terminated";
        }
    }

    /** The header value, e.g. {@code terminated;reason=probation;retry-after=60}. */
    default String format() {
        StringBuilder sb = new StringBuilder(substate());
        if (this instanceof Active a) {
            a.expires().ifPresent(e -> sb.append(";expires=").append(e));
        } else if (this instanceof Pending p) {
            p.expires().ifPresent(e -> sb.append(";expires=").append(e));
        } else if (this instanceof Terminated t) {
            t.reason().ifPresent(r -> sb.append(";reason=").append(r));
            t.retryAfter().ifPresent(r -> sb.append(";retry-after=").append(r));
        }
        return sb.toString();
    }

    /** Parses a header value of at most {@link #DEFAULT_MAX_LENGTH} characters. */
    static Mapped<SubscriptionState> parse(String value) {
        return parse(value, DEFAULT_MAX_LENGTH);
    }

    /** Parses a header value of at most {@code maxLength} characters. */
    static Mapped<SubscriptionState> parse(String value, int maxLength) {
        return SubscriptionStateParser.parse(value, maxLength);
    }

    private static void checkDelta(OptionalLong value, String name) {
        Objects.requireNonNull(value, name);
        value.ifPresent(v -> Durations.check(v, name));
    }
}
