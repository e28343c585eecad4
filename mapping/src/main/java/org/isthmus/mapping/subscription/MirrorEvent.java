package org.isthmus.mapping.subscription;

import java.util.Objects;
import java.util.OptionalLong;

import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaError;

/**
 * Something that happened to one XMPP user / SIP contact pair, from either side or from the mirror's
 * clock. XMPP events are stanzas from the XMPP user (or the user's server) to the contact; SIP events
 * concern the pair's current dialogs, and the mirror answers traffic of superseded dialogs itself.
 */
public sealed interface MirrorEvent {

    // From XMPP: the user U's stanzas addressed to the SIP contact C.

    /** U asks to see C's presence (RFC 6121 §3.1, RFC 8048 §5.2.1 F1). */
    record XmppSubscribe() implements MirrorEvent {
    }

    /** U cancels its subscription to C (RFC 6121 §3.3, RFC 8048 §5.2.3 F16). */
    record XmppUnsubscribe() implements MirrorEvent {
    }

    /** U approves C's request (RFC 6121 §3.1.5, RFC 8048 §5.3.1 F31). */
    record XmppSubscribed() implements MirrorEvent {
    }

    /** U denies C's request or revokes C's subscription (RFC 6121 §3.2, RFC 8048 §5.3.1 Example 15). */
    record XmppUnsubscribed() implements MirrorEvent {
    }

    /** U's server asks for C's presence (RFC 6121 §4.3, RFC 8048 §7.1; also initial presence, §5.2.2). */
    record XmppProbe() implements MirrorEvent {
    }

    /** U's server returned an error for the {@code subscribe} the gateway sent on C's behalf (RFC 3922 §6.2). */
    record XmppError(StanzaError error) implements MirrorEvent {
        public XmppError {
            Objects.requireNonNull(error, "error");
        }
    }

    /** U's presence for C changed (RFC 8048 §6.2). */
    record XmppPresenceChanged() implements MirrorEvent {
    }

    // From SIP, the gateway as subscriber for U.

    /**
     * A 2xx to the gateway's SUBSCRIBE; 202 counts as 200 (RFC 6665 §8.3.1).
     *
     * @param expires the response's Expires: the duration granted (RFC 6665 §3.1.1)
     */
    record SubscribeAccepted(long expires) implements MirrorEvent {
        public SubscribeAccepted {
            Durations.check(expires, "expires");
        }
    }

    /**
     * A final failure to the gateway's SUBSCRIBE (or a refresh of it).
     *
     * @param status     the response
     * @param minExpires the Min-Expires of a 423 (RFC 3261 §20.23), if any
     * @param retryAfter the Retry-After header, if any
     */
    record SubscribeFailed(SipStatus status, OptionalLong minExpires, OptionalLong retryAfter) implements MirrorEvent {
        public SubscribeFailed {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(minExpires, "minExpires");
            Objects.requireNonNull(retryAfter, "retryAfter");
        }

        /** A failure with neither Min-Expires nor Retry-After. */
        public static SubscribeFailed of(int code) {
            return new SubscribeFailed(SipStatus.of(code), OptionalLong.empty(), OptionalLong.empty());
        }
    }

    /**
     * A NOTIFY in the gateway's subscription dialog.
     *
     * @param state   its Subscription-State
     * @param hasBody whether it carries a presence document (RFC 3856 §6.8: without one the last
     *                document stays current)
     */
    record NotifyReceived(SubscriptionState state, boolean hasBody) implements MirrorEvent {
        public NotifyReceived {
            Objects.requireNonNull(state, "state");
        }
    }

    // From SIP, the gateway as notifier for U.

    /** A SUBSCRIBE from C that creates a dialog, Expires above 0 (RFC 8048 §5.3.1 F26). */
    record SubscribeReceived(long expires) implements MirrorEvent {
        public SubscribeReceived {
            Durations.check(expires, "expires");
        }
    }

    /** A SUBSCRIBE from C in its dialog, Expires above 0 (RFC 6665 §4.2.1.4, RFC 8048 §5.3.2). */
    record RefreshReceived(long expires) implements MirrorEvent {
        public RefreshReceived {
            Durations.check(expires, "expires");
        }
    }

    /** A SUBSCRIBE from C in its dialog with Expires 0 (RFC 8048 §5.3.3 Example 17). */
    record UnsubscribeReceived() implements MirrorEvent {
    }

    /**
     * A SUBSCRIBE from C with Expires 0 that creates a dialog: a poll (RFC 8048 §7.2 Example 24).
     *
     * @param presenceKnown whether the gateway already has U's presence for C
     */
    record FetchReceived(boolean presenceKnown) implements MirrorEvent {
    }

    /** A final failure to a NOTIFY the gateway sent, or Timer F as 408 (RFC 6665 §4.2.2). */
    record NotifyFailed(SipStatus status) implements MirrorEvent {
        public NotifyFailed {
            Objects.requireNonNull(status, "status");
        }
    }

    // From the mirror's clock.

    /** Time to refresh the gateway's subscription, ahead of its expiry (RFC 8048 §5.2.2). */
    record RefreshDue() implements MirrorEvent {
    }

    /** The wait before re-subscribing is over (RFC 6665 §4.1.2, "Retry-after expires"). */
    record RetryDue() implements MirrorEvent {
    }

    /**
     * The gateway's subscription produced no NOTIFY before Timer N (RFC 6665 §4.1.2.4), or outlived
     * its last known expiry without a successful refresh (§4.1.2.2).
     */
    record SubscriberTimedOut() implements MirrorEvent {
    }

    /** C's subscription expired without a refresh (RFC 6665 §4.2.1.4). */
    record NotifierExpired() implements MirrorEvent {
    }

    /**
     * The event for a SUBSCRIBE received from the SIP contact (RFC 6665 §4.4.3: Expires 0 in a new
     * dialog is a fetch, in the existing dialog an unsubscribe).
     *
     * @param request       the SUBSCRIBE
     * @param presenceKnown whether the gateway already has the XMPP user's presence for the watcher
     */
    static MirrorEvent of(SipSubscribe request, boolean presenceKnown) {
        if (request.isFetch()) {
            return new FetchReceived(presenceKnown);
        }
        if (request.isUnsubscribe()) {
            return new UnsubscribeReceived();
        }
        return request.inDialog() ? new RefreshReceived(request.effectiveExpires())
                : new SubscribeReceived(request.effectiveExpires());
    }
}
