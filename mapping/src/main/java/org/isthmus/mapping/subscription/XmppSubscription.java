package org.isthmus.mapping.subscription;

import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.StanzaError;

/**
 * An XMPP presence stanza that manages a subscription (RFC 6121 §3, §4.3; RFC 8048 §5 and §7).
 *
 * @param from  the sender; RFC 6121 §3 stamps subscription stanzas with the bare JID
 * @param to    the addressee
 * @param type  the stanza type
 * @param id    the stanza id, if any (RFC 3922 §6.1: the CPP TransID)
 * @param error the error, present exactly when {@code type} is {@link XmppSubscriptionType#ERROR}
 */
public record XmppSubscription(Jid from, Jid to, XmppSubscriptionType type, Optional<String> id,
                               Optional<StanzaError> error) {
    public XmppSubscription {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(error, "error");
        if ((type == XmppSubscriptionType.ERROR) != error.isPresent()) {
            throw new IllegalArgumentException("an error stanza carries an error, and only it");
        }
    }

    /** A stanza of a type other than {@code error}. */
    public static XmppSubscription of(Jid from, Jid to, XmppSubscriptionType type, Optional<String> id) {
        return new XmppSubscription(from, to, type, id, Optional.empty());
    }

    /** The error reply to this stanza (RFC 6120 §8.2): addresses swapped, the same id. */
    public XmppSubscription errorReply(StanzaError stanzaError) {
        return new XmppSubscription(to, from, XmppSubscriptionType.ERROR, id, Optional.of(stanzaError));
    }
}
