package org.isthmus.sip.stack;

import java.util.Optional;
import java.util.Properties;

import javax.net.ssl.SSLContext;
import javax.sip.PeerUnavailableException;

import gov.nist.javax.sip.SipStackImpl;

/**
 * The edge's JAIN-SIP stack: the reference implementation with its sockets made by a network layer that
 * holds the edge's own {@link SSLContext}. JAIN-SIP 1.3.0-91 instantiates a {@code NETWORK_LAYER} class by
 * name with no arguments, which leaves no way to hand it a context but a global; setting the stack's
 * network layer right after construction, before any listening point exists, does.
 */
public final class EdgeSipStack extends SipStackImpl {

    /**
     * A stack from {@code properties}, with TLS sockets from {@code tls} if present.
     *
     * @param connectTimeoutMillis how long an outgoing TCP or TLS connect may take
     */
    public EdgeSipStack(Properties properties, Optional<SSLContext> tls, int connectTimeoutMillis)
            throws PeerUnavailableException {
        super(properties);
        if (tls.isPresent()) {
            this.networkLayer = new TlsNetworkLayer(tls.get(), connectTimeoutMillis);
        }
    }
}
