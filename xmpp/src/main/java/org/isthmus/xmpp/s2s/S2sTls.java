package org.isthmus.xmpp.s2s;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Isthmus's own TLS credentials for server-to-server streams and the anchors it trusts in peers'
 * certificates (RFC 6120 §13.7).
 *
 * @param certificateChain    a PEM file: the certificate of Isthmus's domains first, then its issuers
 * @param privateKey          a PEM file with the certificate's PKCS#8 private key (unencrypted)
 * @param trustedCertificates a PEM file of CA certificates that peers' chains must end in; when
 *                            empty, the JDK's default trust store (cacerts) is used
 */
public record S2sTls(Path certificateChain, Path privateKey, Optional<Path> trustedCertificates) {

    public S2sTls {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(trustedCertificates, "trustedCertificates");
    }
}
