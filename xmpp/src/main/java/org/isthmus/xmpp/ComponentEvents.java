package org.isthmus.xmpp;

import io.netty.channel.Channel;

import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.subscription.XmppSubscription;

/** What one component connection reports to the link that owns it; called on the channel's event loop. */
interface ComponentEvents {

    /** The server accepted the handshake (XEP-0114 §3). */
    void handshakeAccepted(Channel channel);

    /** An inbound message converted cleanly. */
    void message(XmppMessage message);

    /** An inbound availability presence converted cleanly. */
    void presence(XmppPresence presence);

    /** An inbound subscription stanza or probe converted cleanly. */
    void subscription(XmppSubscription subscription);

    /** The connection closed, with the reason (the last stream error, a closed stream, an I/O error). */
    void closed(Channel channel, String reason);
}
