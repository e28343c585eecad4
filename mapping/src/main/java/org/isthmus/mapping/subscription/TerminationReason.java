package org.isthmus.mapping.subscription;

import java.util.Locale;
import java.util.Optional;

/**
 * The reason codes RFC 6665 defines for a terminated subscription (§4.1.3, registry of §7.2). Other
 * codes (e.g. RFC 4660's {@code badfilter}) stay text in {@link SubscriptionState.Terminated}.
 */
public enum TerminationReason {
    /** Retry at once with a new subscription, e.g. after notifier migration (RFC 6665 §4.1.3, §4.4.2). */
    DEACTIVATED,
    /** Retry later, after {@code retry-after} if given (RFC 6665 §4.1.3). */
    PROBATION,
    /** Authorization was refused or withdrawn; do not re-subscribe (RFC 6665 §4.1.3, §4.2.1.3). */
    REJECTED,
    /** Not refreshed in time, or the answer to an Expires 0 SUBSCRIBE; may re-subscribe (RFC 6665 §4.1.3, §4.4.3). */
    TIMEOUT,
    /** Authorization could not be obtained in time; retry after {@code retry-after} (RFC 6665 §4.1.3). */
    GIVEUP,
    /** The resource no longer exists; do not re-subscribe (RFC 6665 §4.1.3). */
    NORESOURCE,
    /** The state will not change; do not re-subscribe (RFC 6665 §4.1.3). */
    INVARIANT;

    /** The token on the wire. */
    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The defined reason for a token, compared without regard to case (RFC 5234 §2.3); empty if not defined. */
    public static Optional<TerminationReason> fromToken(String token) {
        for (TerminationReason r : values()) {
            if (r.token().equalsIgnoreCase(token)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
