package org.isthmus.mapping.subscription;

import java.util.Optional;
import java.util.OptionalLong;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.PresUri;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.SipStatusToXmpp;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.message.MediaType;

/**
 * From SIP subscription traffic to neutral operations (RFC 8048 §5.2, §5.3 and §7.2, RFC 6665):
 * a SUBSCRIBE from a SIP watcher of an XMPP user; the Subscription-State of a NOTIFY and the final
 * response to a SUBSCRIBE that the gateway sent for an XMPP user.
 *
 * <table>
 *   <caption>SIP → operation</caption>
 *   <tr><th>SIP</th><th>operation</th><th>RFC</th></tr>
 *   <tr><td>SUBSCRIBE, Expires &gt; 0 or absent</td><td>Subscribe(watcher, presentity, Expires)</td>
 *       <td>8048 §5.3.1 Example 11 (absent: 3600, RFC 3856 §6.4)</td></tr>
 *   <tr><td>SUBSCRIBE Expires 0 in the dialog</td><td>Unsubscribe</td><td>8048 §5.3.3 Example 17</td></tr>
 *   <tr><td>SUBSCRIBE Expires 0, new dialog</td><td>Fetch</td><td>8048 §7.2 Example 24</td></tr>
 *   <tr><td>Event other than presence</td><td>refused, 489</td><td>6665 §4.2.1.1</td></tr>
 *   <tr><td>Accept without application/pidf+xml</td><td>refused, 406</td><td>6665 §4.1.2.1, 3856 §6.5</td></tr>
 *   <tr><td>NOTIFY active</td><td>Approve</td><td>8048 §5.2.1 F10–F14</td></tr>
 *   <tr><td>NOTIFY pending</td><td>nothing yet</td><td>8048 §5.2.1 ("refrain from sending any presence stanzas")</td></tr>
 *   <tr><td>NOTIFY terminated</td><td>Deny, or Ended per {@link TerminationOutcome}</td><td>6665 §4.1.3</td></tr>
 *   <tr><td>2xx (202 as 200) to SUBSCRIBE</td><td>nothing: CPP's success has no XMPP form</td><td>6665 §8.3.1</td></tr>
 *   <tr><td>failure response</td><td>Failed, condition from RFC 7247 §7.2</td><td>3922 §6.1 exceptions</td></tr>
 * </table>
 */
public final class SipSubscriptionToCpim {

    private SipSubscriptionToCpim() {
    }

    /**
     * Translates a SUBSCRIBE from a SIP watcher to an XMPP user.
     *
     * @param request   the SUBSCRIBE
     * @param addresses the address rules
     */
    public static Mapped<CpimSubscription> subscribe(SipSubscribe request, AddressMapper addresses) {
        if (!SipSubscribe.PRESENCE_EVENT.equals(request.event())) {
            // RFC 6665 §4.2.1.1: an event package the notifier does not understand gets 489; §8.2.1
            // compares event types byte by byte.
            return Mapped.rejected(new Rejected(StanzaErrorCondition.POLICY_VIOLATION,
                    "only the presence event package is served", Optional.of(SipStatus.of(489))));
        }
        if (!request.accept().isEmpty() && request.accept().stream().noneMatch(SipSubscriptionToCpim::coversPidf)) {
            return Mapped.rejected(new Rejected(StanzaErrorCondition.NOT_ACCEPTABLE,
                    "Accept must include application/pidf+xml", Optional.of(SipStatus.of(406))));
        }
        Mapped<ImUri> watcher = addresses.fromSip(request.watcher()).map(ImUri::bare);
        if (!watcher.isOk()) {
            return watcher.map(w -> null);
        }
        if (addresses.isXmppUser(watcher.orThrow())) {
            return Mapped.rejected(StanzaErrorCondition.FORBIDDEN,
                    "a SIP watcher cannot use the address of an XMPP user: " + watcher.orThrow());
        }
        Mapped<ImUri> presentity = addresses.fromSip(request.presentity()).map(ImUri::bare);
        if (!presentity.isOk()) {
            return presentity.map(p -> null);
        }
        if (!addresses.isXmppUser(presentity.orThrow())) {
            return Mapped.rejected(StanzaErrorCondition.ITEM_NOT_FOUND,
                    request.presentity() + " is not a user of an XMPP domain this gateway serves");
        }
        PresUri w = watcher.orThrow().toPres();
        PresUri p = presentity.orThrow().toPres();
        if (request.isFetch()) {
            return Mapped.ok(new CpimSubscription.Fetch(w, p, Optional.empty()));
        }
        if (request.isUnsubscribe()) {
            return Mapped.ok(new CpimSubscription.Unsubscribe(w, p, Optional.empty()));
        }
        return Mapped.ok(new CpimSubscription.Subscribe(w, p, OptionalLong.of(request.effectiveExpires()),
                Optional.empty()));
    }

    /**
     * Translates the Subscription-State of a NOTIFY the gateway received as subscriber for an XMPP user.
     *
     * @param watcher    the XMPP user's SIP address (the NOTIFY's Request-URI and From)
     * @param presentity the SIP contact (the NOTIFY's To)
     * @param state      the Subscription-State
     * @return the operation, or empty for {@code pending}, which has no XMPP form
     */
    public static Mapped<Optional<CpimSubscription>> notify(SipUri watcher, SipUri presentity,
                                                           SubscriptionState state, AddressMapper addresses) {
        return addresses(watcher, presentity, addresses).map(pair -> operation(pair, state));
    }

    private static Optional<CpimSubscription> operation(Pair pair, SubscriptionState state) {
        if (state instanceof SubscriptionState.Active) {
            return Optional.of(new CpimSubscription.Approve(pair.watcher(), pair.target(), Optional.empty()));
        }
        if (state instanceof SubscriptionState.Terminated t) {
            TerminationOutcome outcome = TerminationOutcome.of(t);
            return Optional.of(outcome == TerminationOutcome.CANCELLED
                    ? new CpimSubscription.Deny(pair.watcher(), pair.target(), Optional.empty())
                    : new CpimSubscription.Ended(pair.watcher(), pair.target(), outcome, t.retryAfter()));
        }
        return Optional.empty();
    }

    /**
     * Translates the final response to a SUBSCRIBE the gateway sent: a failure becomes the condition
     * of RFC 7247 §7.2 with the reason phrase as text, keeping the SIP status.
     *
     * @return the failure, or empty for a 2xx
     */
    public static Mapped<Optional<CpimSubscription>> response(SipUri watcher, SipUri presentity, SipStatus status,
                                                             AddressMapper addresses) {
        if (status.isSuccess()) {
            return Mapped.ok(Optional.empty());
        }
        StanzaError error = SipStatusToXmpp.errorFor(status, Optional.empty());
        Rejected reason = new Rejected(error.condition(), error.text().orElse(status.reason()), Optional.of(status));
        return addresses(watcher, presentity, addresses).map(pair ->
                Optional.of(new CpimSubscription.Failed(pair.watcher(), pair.target(), reason, Optional.empty())));
    }

    private static Mapped<Pair> addresses(SipUri watcher, SipUri presentity, AddressMapper addresses) {
        return addresses.fromSip(watcher).then(w -> addresses.fromSip(presentity).map(p -> new Pair(w.toPres(), p.toPres())));
    }

    private record Pair(PresUri watcher, PresUri target) {
    }

    private static boolean coversPidf(MediaType type) {
        return type.is("application", "pidf+xml") || type.is("application", "*") || type.is("*", "*");
    }
}
