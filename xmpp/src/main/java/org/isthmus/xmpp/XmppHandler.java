package org.isthmus.xmpp;

import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.subscription.XmppSubscription;

/**
 * Up-calls from the XMPP edge; implemented by the gateway. Called on Netty event-loop threads, so an
 * implementation must not block.
 */
public interface XmppHandler {

    /** Every inbound {@code <message/>} that converted cleanly, including {@code type='error'} ones. */
    void onMessage(XmppMessage message);

    /**
     * Every inbound availability {@code <presence/>} that converted cleanly (RFC 6121 §4.7.1): available,
     * {@code unavailable}, and {@code error}, the last with its {@link XmppPresence#error()}; an error
     * presence may answer a subscription stanza too, and is matched to it by its addresses. Called on a
     * Netty event-loop thread: must not block. Does nothing unless overridden.
     */
    default void onPresence(XmppPresence presence) {
    }

    /**
     * Every inbound {@code <presence/>} of type {@code subscribe}, {@code subscribed}, {@code unsubscribe},
     * {@code unsubscribed} or {@code probe} that converted cleanly (RFC 6121 §3, §4.3). Called on a Netty
     * event-loop thread: must not block. Does nothing unless overridden.
     */
    default void onSubscription(XmppSubscription subscription) {
    }

    /**
     * The link for {@code domain} came up (handshake accepted, XEP-0114 §3) or went down.
     *
     * @param domain the component domain
     * @param up     whether stanzas can now be sent
     * @param reason a short human-readable reason, for logs
     */
    void onLinkStateChanged(String domain, boolean up, String reason);
}
