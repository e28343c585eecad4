package org.isthmus.mapping.subscription;

import java.util.Optional;
import java.util.OptionalLong;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.PresUri;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * From an XMPP subscription stanza that a user of the gateway's XMPP domains sends to a gateway
 * address, to the neutral operation (RFC 3922 §6, RFC 8048 §5.2, §5.3 and §7.1).
 *
 * <table>
 *   <caption>Stanza (from user U to contact C) → operation</caption>
 *   <tr><th>type</th><th>operation</th><th>RFC</th></tr>
 *   <tr><td>subscribe</td><td>Subscribe(watcher U, target C), no duration</td><td>3922 §6.1, 8048 §5.2.1</td></tr>
 *   <tr><td>unsubscribe</td><td>Unsubscribe(U, C)</td><td>3922 §6.4, 8048 §5.2.3</td></tr>
 *   <tr><td>probe</td><td>Fetch(U, C)</td><td>8048 §7.1</td></tr>
 *   <tr><td>subscribed</td><td>Approve(watcher C, target U)</td><td>3922 §6.2, 8048 §5.3.1</td></tr>
 *   <tr><td>unsubscribed</td><td>Deny(C, U)</td><td>3922 §6.2 and §6.5, 8048 §5.3.1</td></tr>
 *   <tr><td>error</td><td>Failed(C, U), the stanza error as the reason</td><td>3922 §6.2</td></tr>
 * </table>
 *
 * <p>RFC 3922 §6.5 maps the sender of {@code unsubscribed} to the "watcher"; the sender is the
 * presentity whose watcher is being cancelled, so here it is the target, as in §6.2.
 */
public final class XmppSubscriptionToCpim {

    private XmppSubscriptionToCpim() {
    }

    /**
     * Translates a stanza; addresses are taken as bare JIDs (RFC 6121 §3: subscriptions are between
     * bare JIDs, and §3.1.2 treats a full 'to' as the bare one).
     *
     * @param stanza    the stanza from the XMPP user
     * @param addresses the address rules
     */
    public static Mapped<CpimSubscription> translate(XmppSubscription stanza, AddressMapper addresses) {
        Mapped<ImUri> user = addresses.fromJid(stanza.from().bare());
        if (!user.isOk() || !addresses.isXmppUser(user.orThrow())) {
            // RFC 8048 §8.1: only users of the domains the gateway serves may use it.
            return Mapped.rejected(StanzaErrorCondition.FORBIDDEN,
                    "sender " + stanza.from().bare() + " is not a user of an XMPP domain this gateway serves");
        }
        Mapped<ImUri> contact = addresses.fromJid(stanza.to().bare());
        if (!contact.isOk()) {
            return contact.map(c -> null);
        }
        if (addresses.isXmppUser(contact.orThrow())) {
            // RFC 3922 §6.1: the target is not a presentity the gateway can reach.
            return Mapped.rejected(StanzaErrorCondition.ITEM_NOT_FOUND, stanza.to() + " is not a gateway address");
        }
        PresUri u = user.orThrow().toPres();
        PresUri c = contact.orThrow().toPres();
        Optional<String> id = stanza.id();
        return switch (stanza.type()) {
            case SUBSCRIBE -> Mapped.ok(new CpimSubscription.Subscribe(u, c, OptionalLong.empty(), id));
            case UNSUBSCRIBE -> Mapped.ok(new CpimSubscription.Unsubscribe(u, c, id));
            case PROBE -> Mapped.ok(new CpimSubscription.Fetch(u, c, id));
            case SUBSCRIBED -> Mapped.ok(new CpimSubscription.Approve(c, u, id));
            case UNSUBSCRIBED -> Mapped.ok(new CpimSubscription.Deny(c, u, id));
            case ERROR -> {
                StanzaError e = stanza.error().orElseThrow();
                yield Mapped.ok(new CpimSubscription.Failed(c, u,
                        new Rejected(e.condition(), e.text().orElse(e.condition().elementName())), id));
            }
            case UNAVAILABLE -> Mapped.rejected(StanzaErrorCondition.BAD_REQUEST,
                    "unavailable presence is presence, not a subscription operation");
        };
    }
}
