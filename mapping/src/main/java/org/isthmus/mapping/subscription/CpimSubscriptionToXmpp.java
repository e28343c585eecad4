package org.isthmus.mapping.subscription;

import java.util.Optional;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.PresUri;
import org.isthmus.mapping.error.StanzaError;

/**
 * From neutral operations to the XMPP stanzas of RFC 8048 §5 and §7 and RFC 3922 §6, always sent on
 * behalf of the SIP side to an XMPP user.
 *
 * <table>
 *   <caption>Operation → stanza</caption>
 *   <tr><th>operation</th><th>stanza</th><th>RFC</th></tr>
 *   <tr><td>Subscribe (SIP watcher W of user U)</td><td>subscribe, W → U</td><td>8048 §5.3.1 Example 12</td></tr>
 *   <tr><td>Unsubscribe</td><td>unavailable, W → U</td><td>8048 §5.3.3 step 2</td></tr>
 *   <tr><td>Fetch</td><td>probe, W → U</td><td>8048 §7.2 Example 25</td></tr>
 *   <tr><td>Approve (SIP contact C of user U)</td><td>subscribed, C → U</td><td>8048 §5.2.1 Example 5</td></tr>
 *   <tr><td>Deny</td><td>unsubscribed, C → U</td><td>3922 §6.1, 8048 §5.2.2</td></tr>
 *   <tr><td>Ended, {@link TerminationOutcome#RETRY_LATER}</td><td>unavailable, C → U</td><td>8048 §5.2.1 (no state: unknown or closed)</td></tr>
 *   <tr><td>Ended, other outcomes</td><td>nothing</td><td>6665 §4.1.3</td></tr>
 *   <tr><td>Failed</td><td>error, C → U</td><td>3922 §6.1 exceptions</td></tr>
 * </table>
 *
 * <p>A SIP Unsubscribe is not {@code unsubscribe}: SIP has no construct that cancels an
 * authorization, only one that ends the notification dialog, and the authorization the XMPP user
 * granted stands (RFC 8048 §5.3.3 and its note). Whether a Fetch needs a probe at all (it does not
 * when the gateway already has the user's presence, §7.2) is the mirror's decision; see
 * {@link SubscriptionMachine}.
 *
 * <p>The SIP party's JID is the one the XMPP user's domain sees: in component mode, under the component
 * domain that serves that domain (XEP-0114 §3).
 */
public final class CpimSubscriptionToXmpp {

    private CpimSubscriptionToXmpp() {
    }

    /**
     * Translates an operation.
     *
     * @return the stanza, or empty for an operation with no XMPP form
     */
    public static Mapped<Optional<XmppSubscription>> translate(CpimSubscription op, AddressMapper addresses) {
        if (op instanceof CpimSubscription.Subscribe s) {
            return stanza(s.watcher(), s.target(), XmppSubscriptionType.SUBSCRIBE, s.transId(), addresses);
        }
        if (op instanceof CpimSubscription.Unsubscribe u) {
            return stanza(u.watcher(), u.target(), XmppSubscriptionType.UNAVAILABLE, u.transId(), addresses);
        }
        if (op instanceof CpimSubscription.Fetch f) {
            return stanza(f.watcher(), f.target(), XmppSubscriptionType.PROBE, f.transId(), addresses);
        }
        if (op instanceof CpimSubscription.Approve a) {
            return stanza(a.target(), a.watcher(), XmppSubscriptionType.SUBSCRIBED, a.transId(), addresses);
        }
        if (op instanceof CpimSubscription.Deny d) {
            return stanza(d.target(), d.watcher(), XmppSubscriptionType.UNSUBSCRIBED, d.transId(), addresses);
        }
        if (op instanceof CpimSubscription.Ended e) {
            return e.outcome() == TerminationOutcome.RETRY_LATER
                    ? stanza(e.target(), e.watcher(), XmppSubscriptionType.UNAVAILABLE, Optional.empty(), addresses)
                    : Mapped.ok(Optional.empty());
        }
        CpimSubscription.Failed f = (CpimSubscription.Failed) op;
        StanzaError error = StanzaError.of(f.reason().condition(), f.reason().text());
        return addresses.toJid(f.target(), f.watcher().host()).then(from -> addresses.toJid(f.watcher()).map(to ->
                Optional.of(new XmppSubscription(from, to, XmppSubscriptionType.ERROR, f.transId(), Optional.of(error)))));
    }

    private static Mapped<Optional<XmppSubscription>> stanza(PresUri from, PresUri to, XmppSubscriptionType type,
                                                             Optional<String> id, AddressMapper addresses) {
        return addresses.toJid(from, to.host()).then(f -> addresses.toJid(to).map(t ->
                Optional.of(XmppSubscription.of(f, t, type, id))));
    }
}
