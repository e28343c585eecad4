package org.isthmus.xmpp;

import org.isthmus.mapping.message.XmppMessage;

/**
 * Up-calls from the XMPP edge; implemented by the gateway. Called on Netty event-loop threads, so an
 * implementation must not block.
 */
public interface XmppHandler {

    /** Every inbound {@code <message/>} that converted cleanly, including {@code type='error'} ones. */
    void onMessage(XmppMessage message);

    /**
     * The link for {@code domain} came up (handshake accepted, XEP-0114 §3) or went down.
     *
     * @param domain the component domain
     * @param up     whether stanzas can now be sent
     * @param reason a short human-readable reason, for logs
     */
    void onLinkStateChanged(String domain, boolean up, String reason);
}
