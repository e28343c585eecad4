package org.isthmus.sip.stack;

import java.util.List;
import java.util.Locale;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.RouteHeader;
import javax.sip.message.Request;

import gov.nist.javax.sip.ClientTransactionExt;
import gov.nist.javax.sip.TlsSecurityPolicy;

/**
 * RFC 5922 §7.2 for the edge as TLS client: after the handshake (whose chain JSSE has already checked
 * against the trust anchors), the server's certificate must name the domain the server was looked up
 * for: the host of the first Route (an outbound proxy), else of the Request-URI. JAIN-SIP calls this
 * once per new connection; a mismatch throws, the request is not sent and the edge sees a transport
 * error.
 */
public final class ServerIdentityPolicy implements TlsSecurityPolicy {

    @Override
    public void enforceTlsPolicy(ClientTransactionExt transaction) throws SecurityException {
        Request request = transaction.getRequest();
        String expected = expectedHost(request);
        List<String> identities;
        try {
            identities = CertificateIdentities.of(transaction.getPeerCertificates());
        } catch (SSLPeerUnverifiedException e) {
            throw new SecurityException("TLS peer sent no certificate", e);
        }
        if (expected == null || !identities.contains(CertificateIdentities.canonicalIp(expected))) {
            throw new SecurityException("TLS peer certificate names " + identities + ", not " + expected);
        }
    }

    /**
     * The same check for a transaction about to reuse a TLS connection that is already up (JAIN-SIP checks
     * only new ones, and a connection to one address may have been opened for another domain). Returns
     * normally if the connection is not up yet: the stack checks it after its handshake.
     *
     * @throws SecurityException if the connection's certificate does not name this request's domain
     */
    public void enforceOnReuse(ClientTransactionExt transaction) throws SecurityException {
        try {
            if (transaction.getPeerCertificates() == null) {
                return;
            }
        } catch (SSLPeerUnverifiedException | RuntimeException notUpYet) {
            return;
        }
        enforceTlsPolicy(transaction);
    }

    private static String expectedHost(Request request) {
        RouteHeader route = (RouteHeader) request.getHeader(RouteHeader.NAME);
        URI uri = route != null ? route.getAddress().getURI() : request.getRequestURI();
        return uri instanceof SipURI sip ? sip.getHost().toLowerCase(Locale.ROOT) : null;
    }
}
