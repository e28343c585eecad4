package org.isthmus.mapping.message;

import java.util.Optional;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.Jid;

/** From the neutral message to an XMPP message stanza: RFC 7572 §5 and §8. */
public final class CpimToXmpp {

    private CpimToXmpp() {
    }

    /**
     * Translates a message for delivery to an XMPP user.
     *
     * @param message   the neutral message
     * @param addresses the address rules
     * @param id        the stanza id to use: the gateway's handle on the SIP transaction (RFC 7572 Table 2:
     *                  "transaction identifier" to {@code id}), so an error reply can be matched to it
     */
    public static Mapped<XmppMessage> translate(CpimMessage message, AddressMapper addresses, String id) {
        Mapped<Jid> from = addresses.toJid(message.from());
        if (!from.isOk()) {
            return from.map(f -> null);
        }
        return addresses.toJid(message.to()).map(to ->
                // RFC 7572 §5: a pager-mode message carries no type, i.e. "normal".
                new XmppMessage(from.orThrow(), to, Optional.of(id), MessageType.NORMAL, message.lang(),
                        Optional.of(message.body()), message.subject(), message.thread(), Optional.empty()));
    }
}
