package org.isthmus.mapping.presence;

import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.document.pidf.Basic;
import org.isthmus.mapping.document.pidf.Qvalue;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * From an XMPP presence notification to the neutral presence: RFC 8048 §6.2 (Table 1) and RFC 3922 §5.1.
 * One stanza is one resource, so the result has one tuple; several resources become several tuples
 * when the caller folds successive results with {@link CpimPresence#withTuplesFrom}.
 */
public final class XmppPresenceToCpim {

    private XmppPresenceToCpim() {
    }

    /**
     * Translates a presence an XMPP user sent to a gateway address.
     * <ul>
     *   <li>available ⇒ open, unavailable ⇒ closed (Table 1 notes 4 and 5); an error presence is refused,
     *       since only the first two are notifications (note 1);</li>
     *   <li>the resource names the tuple (note 2; the {@code ID-} prefix is added when written as PIDF);</li>
     *   <li>{@code <show/>} is kept as it is (note 7); {@code <status/>} becomes notes, with their
     *       {@code xml:lang}; the stanza's {@code xml:lang} becomes the language of the whole (Content-Language);</li>
     *   <li>a positive {@code <priority/>} becomes the priority of a contact {@code im:user@host}
     *       (note 6, RFC 3922 §5.1.7 and §5.1.9.2); a negative one is not mapped, and 0 is the lowest
     *       priority, which PIDF expresses by leaving it out;</li>
     *   <li>the XEP-0203 delay stamp becomes the tuple's timestamp; the stanza id is not mapped (note 3).</li>
     * </ul>
     */
    public static Mapped<CpimPresence> translate(XmppPresence presence, AddressMapper addresses) {
        if (presence.type() == PresenceType.ERROR) {
            return Mapped.rejected(StanzaErrorCondition.BAD_REQUEST,
                    "a presence error is not a notification (RFC 8048 §6.2 note 1)");
        }
        Mapped<ImUri> from = addresses.fromJid(presence.from());
        if (!from.isOk() || !addresses.isXmppUser(from.orThrow())) {
            return Mapped.rejected(StanzaErrorCondition.FORBIDDEN,
                    "sender " + presence.from() + " is not a user of an XMPP domain this gateway serves");
        }
        Mapped<ImUri> to = addresses.fromJid(presence.to());
        if (!to.isOk()) {
            return to.map(x -> null);
        }
        if (addresses.isXmppUser(to.orThrow())) {
            return Mapped.rejected(StanzaErrorCondition.ITEM_NOT_FOUND, presence.to() + " is not a gateway address");
        }
        ImUri presentity = from.orThrow();
        boolean available = presence.type() == PresenceType.AVAILABLE;
        Optional<Qvalue> priority = PriorityScale.toPidf(presence.priority())
                .filter(q -> q.thousandths() > 0);
        CpimTuple tuple = new CpimTuple(presentity.instance().orElse(""),
                available ? Basic.OPEN : Basic.CLOSED,
                available ? presence.show() : Optional.empty(),
                priority,
                priority.map(p -> presentity.bare().toString()),
                presence.statuses(),
                presence.delay().map(d -> d.stamp().atOffset(ZoneOffset.UTC)),
                false);
        return Mapped.ok(new CpimPresence(presentity.toPres(), to.orThrow(), presence.lang(), List.of(tuple), List.of(),
                List.of(), false));
    }
}
