package org.isthmus.mapping.presence;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.document.pidf.Basic;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * From the neutral presence to XMPP presence stanzas: RFC 8048 §6.3 (Table 2) and RFC 3922 §5.2, one
 * stanza per tuple, so that each SIP tuple appears as one XMPP resource.
 */
public final class CpimPresenceToXmpp {

    /** Contact schemes of endpoints an XMPP user can reach through the gateway (RFC 3863 §4.1.5). */
    private static final Set<String> REACHABLE_SCHEMES = Set.of("", "im", "pres", "sip", "sips", "xmpp");

    private CpimPresenceToXmpp() {
    }

    /**
     * The stanzas for one notification, in tuple order:
     * <ul>
     *   <li>open ⇒ available, closed ⇒ unavailable (Table 2 note 1);</li>
     *   <li>from is the presentity's JID with the tuple's instance as resource (RFC 3922 §5.2.1), so several
     *       tuples become several resources; an instance that is not a valid resourcepart gives the bare JID;
     *       a presentity in component mode appears under the component domain that serves the watcher's
     *       domain (XEP-0114 §3);
     *       to is the watcher's JID, with its instance as resource when known;</li>
     *   <li>show: the tuple's own; else the one the person's RPID activities imply; else away when the
     *       endpoint or person is idle (RFC 4480 §3.14); only on an available presence;</li>
     *   <li>status: the tuple's notes, else the presentity's notes (RFC 3922 §5.2.11), one per language;</li>
     *   <li>priority: the contact priority rescaled (Table 2 note 2), 0 without one;</li>
     *   <li>delay: the tuple's timestamp (XEP-0203), from the presentity;</li>
     *   <li>xml:lang: the Content-Language.</li>
     * </ul>
     * Tuples whose contact is not an instant-messaging or SIP address (e.g. {@code mailto:}, {@code tel:})
     * describe other means of communication and are left out, and a document without tuples gives no
     * stanza at all (RFC 3922 §5.2.11), so the list may be empty.
     */
    public static Mapped<List<XmppPresence>> translate(CpimPresence presence, AddressMapper addresses) {
        Mapped<Jid> to = addresses.toJid(presence.watcher());
        if (!to.isOk()) {
            return to.map(x -> null);
        }
        String watcherDomain = presence.watcher().host();
        Mapped<Jid> bare = addresses.toJid(presence.presentity().toIm(), watcherDomain);
        if (!bare.isOk()) {
            return bare.map(x -> null);
        }
        if (addresses.isXmppUser(presence.presentity().toIm())) {
            return Mapped.rejected(StanzaErrorCondition.FORBIDDEN,
                    presence.presentity() + " belongs to an XMPP domain; its presence does not come through the gateway");
        }
        Optional<Show> personShow = ShowActivities.showFor(presence.activities());
        List<XmppPresence> out = new ArrayList<>(presence.tuples().size());
        for (CpimTuple t : presence.tuples()) {
            if (!REACHABLE_SCHEMES.contains(scheme(t.contact()))) {
                continue;
            }
            Jid from = bare.orThrow();
            if (!t.instance().isEmpty()) {
                Mapped<Jid> full = addresses.toJid(new ImUri(presence.presentity().user(),
                        presence.presentity().host(), Optional.of(t.instance())), watcherDomain);
                from = full.isOk() ? full.orThrow() : from;
            }
            Jid sender = from;
            boolean available = t.basic() == Basic.OPEN;
            Optional<Show> show = !available ? Optional.empty()
                    : t.show().or(() -> personShow)
                            .or(() -> t.idle() || presence.idle() ? Optional.of(Show.AWAY) : Optional.empty());
            out.add(new XmppPresence(sender, to.orThrow(), Optional.empty(),
                    available ? PresenceType.AVAILABLE : PresenceType.UNAVAILABLE, presence.lang(), show,
                    statuses(t.notes().isEmpty() ? presence.notes() : t.notes()),
                    t.priority().map(PriorityScale::toXmpp).orElse(0),
                    t.timestamp().map(ts -> new Delay(ts.toInstant(), Optional.of(sender), Optional.empty())),
                    Optional.empty()));
        }
        return Mapped.ok(List.copyOf(out));
    }

    private static String scheme(Optional<String> contact) {
        if (contact.isEmpty()) {
            return "";
        }
        String uri = contact.get();
        int colon = uri.indexOf(':');
        return colon <= 0 ? "" : uri.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    /** RFC 6121 §4.7.2.2 allows one status per language; the first of each wins. */
    private static List<LocalizedText> statuses(List<LocalizedText> notes) {
        Set<Optional<String>> seen = new HashSet<>();
        List<LocalizedText> out = new ArrayList<>(notes.size());
        for (LocalizedText n : notes) {
            if (seen.add(n.lang())) {
                out.add(n);
            }
        }
        return out;
    }
}
