package org.isthmus.xmpp.s2s;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.subscription.XmppSubscription;
import org.isthmus.xmpp.XmppException;
import org.isthmus.xmpp.stanza.IqResponder;
import org.isthmus.xmpp.stream.XmlElement;

/** What the stream handlers need from the {@link S2sService} that owns them; called on its event loop. */
interface S2sContext {

    S2sSettings settings();

    Optional<TlsContexts> tls();

    DialbackKey dialbackKey();

    /** The answers of the XMPP edge itself (ping, disco) for one of our domains. */
    IqResponder responder(String localDomain);

    /** An inbound message from an authenticated peer, for the gateway. */
    void deliver(XmppMessage message);

    /** An inbound availability presence from an authenticated peer, for the gateway. */
    void deliver(XmppPresence presence);

    /** An inbound subscription stanza or probe from an authenticated peer, for the gateway. */
    void deliver(XmppSubscription subscription);

    /**
     * A stanza we answer with (an iq result, an error reply): s2s streams carry stanzas one way
     * (RFC 6120 §4.5: one stream per direction), so it goes out on our stream to the peer.
     */
    void reply(String localDomain, String peerDomain, XmlElement stanza);

    /**
     * The receiving server's question to the authoritative server of {@code originating} (XEP-0220
     * §2.1.2): is {@code key} valid for this stream? Completes on the event loop.
     */
    CompletableFuture<Verification> verify(String receiving, String originating, String streamId, String key);

    /**
     * An iq result or error from {@code peerDomain} to {@code localDomain}: the answer to something we
     * sent on our outbound stream, which is where the service takes it (XEP-0199 ping answers).
     */
    void iqAnswer(String localDomain, String peerDomain, XmlElement iq);

    /** Whether an authenticated stream from {@code peerDomain} to {@code localDomain} is open now. */
    boolean hasInboundStream(String localDomain, String peerDomain);

    /** An outbound stream is authenticated and may carry stanzas. */
    void outboundUp(OutboundStream stream);

    /** An outbound stream ended; {@code failure} says why, for the stanzas still waiting for it. */
    void outboundClosed(OutboundStream stream, XmppException failure);

    /** The outcome of a dialback verification (XEP-0220 §2.1.2, table 1 for the errors). */
    enum Verification {
        VALID, INVALID, REMOTE_CONNECTION_FAILED, REMOTE_SERVER_TIMEOUT;

        /** The stanza error condition element for a {@code type='error'} result. */
        String errorCondition() {
            return this == REMOTE_CONNECTION_FAILED ? "remote-connection-failed" : "remote-server-timeout";
        }
    }
}
