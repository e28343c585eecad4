package org.isthmus.mapping.subscription;

import java.util.Objects;
import java.util.OptionalLong;

import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaError;

/**
 * Something the mirror must do after an event. Stanzas always go from the SIP contact (as its JID) to
 * the XMPP user, and SIP requests from the XMPP user (as its SIP address) to the contact, in the
 * pair's current dialog unless the action says it starts a new one.
 */
public sealed interface MirrorAction {

    // To SIP.

    /**
     * Send a SUBSCRIBE to the contact; {@link SubscribeKind#INITIAL} and {@link SubscribeKind#FETCH}
     * start a new dialog, which supersedes any earlier one of the pair.
     *
     * @param kind    which SUBSCRIBE
     * @param expires the Expires to use: 0 for UNSUBSCRIBE and FETCH, a 423's Min-Expires when
     *                retrying, empty for the gateway's configured duration
     */
    record SendSubscribe(SubscribeKind kind, OptionalLong expires) implements MirrorAction {
        public SendSubscribe {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(expires, "expires");
            boolean zero = kind == SubscribeKind.UNSUBSCRIBE || kind == SubscribeKind.FETCH;
            if (zero != (expires.isPresent() && expires.getAsLong() == 0)) {
                throw new MappingException(kind + " cannot have expires " + expires);
            }
        }

        /** A SUBSCRIBE of the given kind with the Expires that kind implies. */
        public static SendSubscribe of(SubscribeKind kind) {
            boolean zero = kind == SubscribeKind.UNSUBSCRIBE || kind == SubscribeKind.FETCH;
            return new SendSubscribe(kind, zero ? OptionalLong.of(0) : OptionalLong.empty());
        }
    }

    /**
     * Send a NOTIFY to the contact as notifier. For {@code active} and {@code pending} the state
     * carries no {@code expires}: the mirror adds the time remaining, which RFC 6665 §4.2.2 requires
     * and only the mirror's clock knows ({@link #withExpires}).
     *
     * @param state the Subscription-State
     * @param body  what the body carries
     */
    record SendNotify(SubscriptionState state, NotifyBody body) implements MirrorAction {
        public SendNotify {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(body, "body");
        }

        /** The state to send, with {@code expires} set on active and pending. */
        public SubscriptionState withExpires(long remainingSeconds) {
            if (state instanceof SubscriptionState.Active) {
                return SubscriptionState.Active.of(remainingSeconds);
            }
            if (state instanceof SubscriptionState.Pending) {
                return SubscriptionState.Pending.of(remainingSeconds);
            }
            return state;
        }
    }

    /**
     * Answer the SIP request of the current event (a SUBSCRIBE or NOTIFY): 200, never 202 (RFC 6665
     * §8.3.1), or 481 when no subscription matches (§4.1.3).
     */
    record RespondSip(SipStatus status) implements MirrorAction {
        public RespondSip {
            Objects.requireNonNull(status, "status");
        }
    }

    // To XMPP.

    /** Send a stanza of this type from the contact to the user (never {@code error}: see {@link SendXmppError}). */
    record SendXmpp(XmppSubscriptionType type) implements MirrorAction {
        public SendXmpp {
            Objects.requireNonNull(type, "type");
            if (type == XmppSubscriptionType.ERROR) {
                throw new MappingException("an error is a SendXmppError");
            }
        }
    }

    /** Reply to the user's pending request with this error (RFC 3922 §6.1 exceptions). */
    record SendXmppError(StanzaError error) implements MirrorAction {
        public SendXmppError {
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * Translate the current NOTIFY's presence document into presence for the user (RFC 8048 §5.2.1
     * F15, §6.3).
     */
    record ForwardNotifyPresence() implements MirrorAction {
    }

    /** Answer the user's probe with the contact's last known presence. */
    record SendCachedPresence() implements MirrorAction {
    }

    /**
     * Probe the user's bare JID from the gateway's own address before refreshing the user's
     * subscription, so the XMPP server bears the same load as the SIP side (RFC 8048 §8.1).
     */
    record ProbeUserFromGateway() implements MirrorAction {
    }

    // To the mirror's clock.

    /**
     * The gateway's subscription lasts this long: refresh ahead of it, then feed
     * {@link MirrorEvent.RefreshDue} (RFC 8048 §5.2.2).
     */
    record ScheduleRefresh(long expires) implements MirrorAction {
        public ScheduleRefresh {
            Durations.check(expires, "expires");
        }
    }

    /**
     * Feed {@link MirrorEvent.RetryDue} after this many seconds, or after the gateway's back-off when
     * empty (RFC 6665 §4.1.3; a back-off bounds the load of RFC 8048 §8.1).
     */
    record ScheduleRetry(OptionalLong retryAfter) implements MirrorAction {
        public ScheduleRetry {
            Objects.requireNonNull(retryAfter, "retryAfter");
        }
    }

    /** The contact's subscription lasts this long: feed {@link MirrorEvent.NotifierExpired} then (RFC 6665 §4.2.1.4). */
    record ScheduleExpiry(long expires) implements MirrorAction {
        public ScheduleExpiry {
            Durations.check(expires, "expires");
        }
    }
}
