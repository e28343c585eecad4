package org.isthmus.xmpp.s2s;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import org.isthmus.xmpp.XmppException;

/**
 * The JDK TLS contexts of the server-to-server streams: TLS 1.2 and 1.3 only (RFC 7590 §3.1.1), our
 * certificate on both sides, and a request for the peer's certificate when we accept.
 *
 * <p>The TLS layer accepts any peer chain on purpose: an untrusted certificate must not end the
 * stream before dialback (XEP-0220) had its chance, and the domain to check is known only from the
 * stream header. {@link PeerCertificates} judges the chain after the handshake.
 */
final class TlsContexts {

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final SslContext server;
    private final SslContext client;
    private final PeerCertificates peers;

    private TlsContexts(SslContext server, SslContext client, PeerCertificates peers) {
        this.server = server;
        this.client = client;
        this.peers = peers;
    }

    static TlsContexts load(S2sTls tls) {
        try {
            SslContext server = SslContextBuilder.forServer(tls.certificateChain().toFile(), tls.privateKey().toFile())
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .clientAuth(ClientAuth.OPTIONAL)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .build();
            SslContext client = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .keyManager(tls.certificateChain().toFile(), tls.privateKey().toFile())
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    // RFC 6125 is checked by PeerCertificates against the stream's domain, not the host.
                    .endpointIdentificationAlgorithm(null)
                    .build();
            return new TlsContexts(server, client, PeerCertificates.load(tls.trustedCertificates()));
        } catch (SSLException | IllegalArgumentException e) {
            throw new XmppException("cannot load the TLS certificate " + tls.certificateChain() + " and key "
                    + tls.privateKey() + ": " + e.getMessage(), e);
        }
    }

    /** A handler for an accepted connection; {@code startTls} leaves the first write (the proceed) plain. */
    SslHandler serverHandler(ByteBufAllocator alloc, boolean startTls) {
        return new SslHandler(server.newEngine(alloc), startTls);
    }

    /** A handler for a connection to {@code domain}, which is sent as SNI (XEP-0368 §3, RFC 6120 §13.7.1.1). */
    SslHandler clientHandler(ByteBufAllocator alloc, String domain, int port) {
        return client.newHandler(alloc, domain, port);
    }

    PeerCertificates peers() {
        return peers;
    }

    /** The peer's chain, leaf first; empty when it sent none. */
    static List<X509Certificate> peerChain(SSLSession session) {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate c : session.getPeerCertificates()) {
                if (c instanceof X509Certificate x509) {
                    chain.add(x509);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
        return chain;
    }
}
