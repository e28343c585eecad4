package org.isthmus.mapping.subscription;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.PresUri;

/**
 * A neutral subscription operation of the Common Profile for Presence (RFC 3859 §3) as RFC 3922 §6
 * maps XMPP to it: subscribe, subscribe with duration zero (unsubscribe or fetch, told apart by
 * whether it names an existing subscription, §3.4.3), the presentity's authorization decision, the
 * end of a subscription, and a failed response. The watcher and target are {@code pres:} addresses
 * (RFC 3922 §6.1 and §6.2: the gateway adds and removes the scheme), which have no instance, as
 * subscriptions are between bare JIDs (RFC 6121 §3); an operation's direction is that of the
 * translator that handles it.
 */
public sealed interface CpimSubscription {

    /** The watcher (RFC 3859 §3.1). */
    PresUri watcher();

    /** The presentity watched (RFC 3859 §3.1 "target"). */
    PresUri target();

    /**
     * A request for a lasting subscription (RFC 3859 §3.4.1, RFC 3922 §6.1 and §6.2).
     *
     * @param duration the seconds asked for; empty when the requester sets none (XMPP, RFC 3922 §6.1)
     * @param transId  the TransID (the XMPP stanza id, RFC 3922 §6.1), if any
     */
    record Subscribe(PresUri watcher, PresUri target, OptionalLong duration, Optional<String> transId)
            implements CpimSubscription {
        public Subscribe {
            requireAddresses(watcher, target);
            Objects.requireNonNull(transId, "transId");
            Objects.requireNonNull(duration, "duration");
            if (duration.isPresent() && duration.getAsLong() <= 0) {
                throw new MappingException("a subscribe with duration zero is an Unsubscribe or a Fetch");
            }
        }
    }

    /**
     * Duration zero for the existing subscription: the watcher ends it (RFC 3859 §3.4.3, RFC 3922 §6.4).
     *
     * @param transId the TransID, if any
     */
    record Unsubscribe(PresUri watcher, PresUri target, Optional<String> transId) implements CpimSubscription {
        public Unsubscribe {
            requireAddresses(watcher, target);
            Objects.requireNonNull(transId, "transId");
        }
    }

    /**
     * Duration zero with a new subscription identifier: a one-time poll (RFC 3859 §3.4.3, RFC 8048 §7).
     *
     * @param transId the TransID, if any
     */
    record Fetch(PresUri watcher, PresUri target, Optional<String> transId) implements CpimSubscription {
        public Fetch {
            requireAddresses(watcher, target);
            Objects.requireNonNull(transId, "transId");
        }
    }

    /**
     * The presentity approves the watcher's subscription (RFC 3922 §6.1 and §6.2).
     *
     * @param transId the TransID, if any
     */
    record Approve(PresUri watcher, PresUri target, Optional<String> transId) implements CpimSubscription {
        public Approve {
            requireAddresses(watcher, target);
            Objects.requireNonNull(transId, "transId");
        }
    }

    /**
     * The presentity denies the watcher's request or cancels its subscription (RFC 3922 §6.1, §6.2, §6.5).
     *
     * @param transId the TransID, if any
     */
    record Deny(PresUri watcher, PresUri target, Optional<String> transId) implements CpimSubscription {
        public Deny {
            requireAddresses(watcher, target);
            Objects.requireNonNull(transId, "transId");
        }
    }

    /**
     * The presence service ended the subscription for a reason other than authorization (RFC 6665
     * §4.1.3); what the watcher should do next.
     *
     * @param outcome    the outcome of the reason
     * @param retryAfter seconds before re-subscribing, if the service said
     */
    record Ended(PresUri watcher, PresUri target, TerminationOutcome outcome, OptionalLong retryAfter)
            implements CpimSubscription {
        public Ended {
            requireAddresses(watcher, target);
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(retryAfter, "retryAfter");
            if (outcome == TerminationOutcome.CANCELLED) {
                throw new MappingException("a cancelled authorization is a Deny");
            }
        }
    }

    /**
     * The response operation with status failure (RFC 3859 §3.4.1 steps 1–3, RFC 3922 §6.1 exceptions).
     *
     * @param reason  why, in the neutral error vocabulary
     * @param transId the TransID, if any
     */
    record Failed(PresUri watcher, PresUri target, Rejected reason, Optional<String> transId)
            implements CpimSubscription {
        public Failed {
            requireAddresses(watcher, target);
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(transId, "transId");
        }
    }

    private static void requireAddresses(PresUri watcher, PresUri target) {
        Objects.requireNonNull(watcher, "watcher");
        Objects.requireNonNull(target, "target");
    }
}
