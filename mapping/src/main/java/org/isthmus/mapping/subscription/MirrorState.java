package org.isthmus.mapping.subscription;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

import org.isthmus.mapping.MappingException;

/**
 * Everything the gateway knows about the subscriptions between one XMPP user and one SIP contact:
 * the RFC 6121 state of each direction and the RFC 6665 dialog that carries it.
 *
 * <p>The compact constructor refuses combinations that cannot occur: a live SIP dialog without an
 * XMPP request behind it, or presence flowing before authorization.
 *
 * @param outbound   the XMPP user's subscription to the contact (RFC 6121 "to" / "Pending Out")
 * @param subscriber the SIP dialog that carries it, the gateway as subscriber
 * @param inbound    the contact's subscription to the XMPP user (RFC 6121 "from" / "Pending In")
 * @param notifier   the SIP dialog that carries it, the gateway as notifier
 */
public record MirrorState(AuthorizationState outbound, SubscriberDialog subscriber,
                          AuthorizationState inbound, NotifierDialog notifier) {

    /** No subscription either way: the state of a pair the gateway has never seen. */
    public static final MirrorState NONE = new MirrorState(AuthorizationState.NONE, SubscriberDialog.IDLE,
            AuthorizationState.NONE, NotifierDialog.IDLE);

    public MirrorState {
        Objects.requireNonNull(outbound, "outbound");
        Objects.requireNonNull(subscriber, "subscriber");
        Objects.requireNonNull(inbound, "inbound");
        Objects.requireNonNull(notifier, "notifier");
        if (!subscriberDialogs(outbound).contains(subscriber)) {
            throw new MappingException("outbound " + outbound + " cannot have subscriber dialog " + subscriber);
        }
        if (!notifierDialogs(inbound).contains(notifier)) {
            throw new MappingException("inbound " + inbound + " cannot have notifier dialog " + notifier);
        }
    }

    /** The subscriber dialogs possible with an outbound state. */
    public static Set<SubscriberDialog> subscriberDialogs(AuthorizationState outbound) {
        return switch (outbound) {
            case NONE -> EnumSet.of(SubscriberDialog.IDLE, SubscriberDialog.CANCELLING, SubscriberDialog.UNSUBSCRIBING);
            case PENDING -> EnumSet.of(SubscriberDialog.SUBSCRIBING, SubscriberDialog.NOTIFY_WAIT,
                    SubscriberDialog.PENDING, SubscriberDialog.RETRY_WAIT);
            case GRANTED -> EnumSet.of(SubscriberDialog.IDLE, SubscriberDialog.SUBSCRIBING, SubscriberDialog.NOTIFY_WAIT,
                    SubscriberDialog.PENDING, SubscriberDialog.ACTIVE, SubscriberDialog.RETRY_WAIT,
                    SubscriberDialog.DORMANT);
        };
    }

    /** The notifier dialogs possible with an inbound state. */
    public static Set<NotifierDialog> notifierDialogs(AuthorizationState inbound) {
        return switch (inbound) {
            case NONE -> EnumSet.of(NotifierDialog.IDLE);
            case PENDING -> EnumSet.of(NotifierDialog.IDLE, NotifierDialog.PENDING);
            case GRANTED -> EnumSet.of(NotifierDialog.IDLE, NotifierDialog.ACTIVE);
        };
    }

    /** The RFC 6121 Appendix A.1 state of the XMPP user's roster item for the contact. */
    public RosterSubscription roster() {
        return RosterSubscription.of(outbound, inbound);
    }

    /** True when nothing is left to remember: the mirror may delete the pair. */
    public boolean isNone() {
        return equals(NONE);
    }

    /** A copy with the outbound half changed. */
    public MirrorState withOutbound(AuthorizationState newOutbound, SubscriberDialog newSubscriber) {
        return new MirrorState(newOutbound, newSubscriber, inbound, notifier);
    }

    /** A copy with the inbound half changed. */
    public MirrorState withInbound(AuthorizationState newInbound, NotifierDialog newNotifier) {
        return new MirrorState(outbound, subscriber, newInbound, newNotifier);
    }
}
