package org.isthmus.xmpp.s2s;

import java.security.cert.X509Certificate;

import org.isthmus.xmpp.XmppException;

/**
 * The checks the s2s edge makes of certificates, for a tool that checks a configuration before the
 * gateway runs ({@code isthmus check-config}): whether Isthmus's own files load as {@link S2sService}
 * loads them, and whether a certificate names a domain by the rules peers' certificates are judged by.
 */
public final class S2sCertificates {

    private S2sCertificates() {
    }

    /**
     * Loads the certificate chain, key and trust anchors as the service does when it is made.
     *
     * @throws XmppException saying what cannot be read or used
     */
    public static void load(S2sTls tls) {
        TlsContexts.load(tls);
    }

    /**
     * Whether {@code certificate} names {@code domain} (prepared): a DNS-ID or an XmppAddr, RFC 6125 §6
     * and RFC 6120 §13.7.1.4, as {@link PeerCertificates} decides for peers.
     */
    public static boolean names(X509Certificate certificate, String domain) {
        return PeerCertificates.matches(certificate, domain);
    }
}
