package org.isthmus.sip;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The TLS listening point (RFC 3261 §26.2.1) and the certificates for it and for outgoing TLS
 * connections, all read from PEM files when the edge starts.
 *
 * @param port                 the TLS port (5061 by default, RFC 3261 §19.1.2)
 * @param privateKey           the PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC)
 * @param certificateChain     the PEM certificates: the edge's own first, then its issuers
 * @param trustedCertificates  PEM certificates of the authorities whose peers are believed; empty for
 *                             the JDK's default trust anchors
 */
public record SipTls(int port, Path privateKey, Path certificateChain, Optional<Path> trustedCertificates) {
    public SipTls {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(trustedCertificates, "trustedCertificates");
        if (port < 1 || port > 65535) {
            throw new SipException("TLS port out of range: " + port);
        }
    }
}
