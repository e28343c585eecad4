package org.isthmus.mapping.subscription;

import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.PresUri;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.error.StanzaErrorType;
import org.isthmus.mapping.error.XmppErrorToSip;

/**
 * From neutral operations to the SIP requests of RFC 8048 §5.2, §5.3 and §7.1: SUBSCRIBE for the
 * watcher's operations, the NOTIFY's Subscription-State for the presentity's decisions. SIP URIs are
 * addresses of record, as {@code pres:} addresses have no instance: the XMPP resource goes in the
 * Contact's GRUU, which is the SIP edge's work (RFC 8048 Example 2).
 */
public final class CpimSubscriptionToSip {

    private CpimSubscriptionToSip() {
    }

    /**
     * A new subscription: RFC 8048 §5.2.1 Example 2 ({@code Event: presence},
     * {@code Accept: application/pidf+xml}); the gateway chooses Expires (§5.2.2) unless the
     * operation carries a duration.
     *
     * @param gatewayExpires the gateway's subscription duration in seconds
     */
    public static SipSubscribe subscribe(CpimSubscription.Subscribe op, long gatewayExpires, AddressMapper addresses) {
        return SipSubscribe.presence(sip(op.watcher(), addresses), sip(op.target(), addresses),
                op.duration().orElse(gatewayExpires), false);
    }

    /** The end of the subscription: Expires 0 in its dialog (RFC 8048 §5.2.3 Example 8, RFC 6665 §4.1.2.3). */
    public static SipSubscribe unsubscribe(CpimSubscription.Unsubscribe op, AddressMapper addresses) {
        return SipSubscribe.presence(sip(op.watcher(), addresses), sip(op.target(), addresses), 0, true);
    }

    /** A poll: Expires 0 in a new dialog (RFC 8048 §7.1 Example 23, RFC 6665 §4.4.3). */
    public static SipSubscribe fetch(CpimSubscription.Fetch op, AddressMapper addresses) {
        return SipSubscribe.presence(sip(op.watcher(), addresses), sip(op.target(), addresses), 0, false);
    }

    /**
     * Approval: {@code active} with the time remaining (RFC 8048 §5.3.1 Example 14; RFC 6665 §4.2.2
     * requires {@code expires} on active), with the presentity's current presence if known (§5.3.2).
     *
     * @param remainingSeconds the time left on the watcher's subscription
     */
    public static SipNotify notify(CpimSubscription.Approve op, long remainingSeconds, AddressMapper addresses) {
        return new SipNotify(sip(op.watcher(), addresses), sip(op.target(), addresses),
                SubscriptionState.Active.of(remainingSeconds), NotifyBody.CURRENT);
    }

    /**
     * Denial or cancellation: {@code terminated;reason=rejected}, no body (RFC 8048 §5.3.1 Example 16).
     * Not {@code deactivated}: that asks the watcher to re-subscribe at once (RFC 6665 §4.1.3), which
     * would only repeat the request the user has refused.
     */
    public static SipNotify notify(CpimSubscription.Deny op, AddressMapper addresses) {
        return new SipNotify(sip(op.watcher(), addresses), sip(op.target(), addresses),
                SubscriptionState.Terminated.of(TerminationReason.REJECTED), NotifyBody.NONE);
    }

    /**
     * A failed request, after the SUBSCRIBE was already answered with 200 (RFC 6665 §4.2.1.1 does not
     * let the notifier wait): {@code terminated} with the reason of {@link #reasonFor}, as RFC 3922
     * §6.2 asks that the watcher be informed of the failure.
     */
    public static SipNotify notify(CpimSubscription.Failed op, AddressMapper addresses) {
        return new SipNotify(sip(op.watcher(), addresses), sip(op.target(), addresses),
                SubscriptionState.Terminated.of(reasonFor(op.reason().condition())), NotifyBody.NONE);
    }

    /**
     * The reason code for an XMPP failure: the address does not exist → {@code noresource}; a
     * temporary failure (error type {@code wait}, RFC 6120 §8.3.2) → {@code probation}; any other
     * refusal → {@code rejected} (RFC 6665 §4.1.3).
     */
    public static TerminationReason reasonFor(StanzaErrorCondition condition) {
        return switch (condition) {
            case ITEM_NOT_FOUND, GONE, REMOTE_SERVER_NOT_FOUND, JID_MALFORMED -> TerminationReason.NORESOURCE;
            default -> condition.defaultType() == StanzaErrorType.WAIT
                    ? TerminationReason.PROBATION : TerminationReason.REJECTED;
        };
    }

    /**
     * The final response to a SUBSCRIBE the gateway refuses: the status the rejection names, else the
     * RFC 7247 §7.1 table's code for a bare JID, as presence subscriptions address bare JIDs.
     */
    public static SipStatus responseFor(Rejected rejected) {
        return rejected.sipStatus().orElseGet(
                () -> XmppErrorToSip.statusFor(StanzaError.of(rejected.condition(), rejected.text()), false));
    }

    /** The SIP address of record for a {@code pres:} address (RFC 3922 §6: the scheme is replaced). */
    private static SipUri sip(PresUri address, AddressMapper addresses) {
        return addresses.toSipUri(address.toIm());
    }
}
