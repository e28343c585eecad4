package org.isthmus.xmpp.s2s;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import javax.security.auth.x500.X500Principal;

import org.isthmus.xmpp.XmppException;

/**
 * Decides whether a peer's certificate chain authenticates a domain: PKIX validation against the
 * configured anchors (RFC 6120 §13.7.2, RFC 5280) and the identity check of RFC 6125 §6 with the
 * XmppAddr identifier of RFC 6120 §13.7.1.4. TLS itself accepts any chain; the verdict decides
 * whether SASL EXTERNAL is possible, and dialback remains for domains a certificate does not prove
 * (XEP-0178 §3, XEP-0220 §1).
 */
final class PeerCertificates {

    /** id-on-xmppAddr, RFC 6120 §13.7.1.4. */
    static final String XMPP_ADDR_OID = "1.3.6.1.5.5.7.8.5";
    private static final int SAN_OTHER_NAME = 0;
    private static final int SAN_DNS_NAME = 2;

    private final Set<TrustAnchor> anchors;

    private PeerCertificates(Set<TrustAnchor> anchors) {
        this.anchors = anchors;
    }

    /** Anchors from a PEM file of CA certificates, or the JDK's default trust store when empty. */
    static PeerCertificates load(Optional<Path> trusted) {
        Set<TrustAnchor> anchors = new HashSet<>();
        try {
            if (trusted.isPresent()) {
                for (X509Certificate ca : readCertificates(trusted.get())) {
                    anchors.add(new TrustAnchor(ca, null));
                }
            } else {
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init((KeyStore) null);
                for (var manager : factory.getTrustManagers()) {
                    if (manager instanceof X509TrustManager x509) {
                        for (X509Certificate ca : x509.getAcceptedIssuers()) {
                            anchors.add(new TrustAnchor(ca, null));
                        }
                    }
                }
            }
        } catch (GeneralSecurityException e) {
            throw new XmppException("cannot load the trusted certificates: " + e.getMessage(), e);
        }
        if (anchors.isEmpty()) {
            throw new XmppException("no trusted certificates in " + trusted.map(Path::toString).orElse("the JDK trust store"));
        }
        return new PeerCertificates(Set.copyOf(anchors));
    }

    /** Every certificate in a PEM (or DER) file. */
    static List<X509Certificate> readCertificates(Path file) {
        try (InputStream in = new ByteArrayInputStream(Files.readAllBytes(file))) {
            Collection<? extends java.security.cert.Certificate> read =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            List<X509Certificate> certificates = new ArrayList<>();
            for (var c : read) {
                certificates.add((X509Certificate) c);
            }
            if (certificates.isEmpty()) {
                throw new XmppException("no certificate in " + file);
            }
            return certificates;
        } catch (IOException | GeneralSecurityException e) {
            throw new XmppException("cannot read certificates from " + file + ": " + e.getMessage(), e);
        }
    }

    /** The result of checking a chain for a domain. */
    sealed interface Verdict {
        /** The chain is valid and names the domain. */
        record Trusted(String domain) implements Verdict {
        }

        /** Why the chain does not authenticate the domain, for logs and stream error texts. */
        record Untrusted(String reason) implements Verdict {
        }

        default boolean trusted() {
            return this instanceof Trusted;
        }
    }

    /** Whether {@code chain} (leaf first) is PKIX-valid now and names {@code domain} per RFC 6125. */
    Verdict verify(List<X509Certificate> chain, String domain) {
        if (chain.isEmpty()) {
            return new Verdict.Untrusted("no certificate");
        }
        try {
            PKIXParameters parameters = new PKIXParameters(anchors);
            // No CRL or OCSP fetching: that would be network I/O on the event loop (RFC 6120 §13.7.2.3).
            parameters.setRevocationEnabled(false);
            parameters.setDate(new Date());
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(chain), parameters);
        } catch (GeneralSecurityException e) {
            return new Verdict.Untrusted("certificate not valid: " + e.getMessage());
        }
        if (!matches(chain.get(0), domain)) {
            return new Verdict.Untrusted("certificate does not name " + domain + " (RFC 6125 §6)");
        }
        return new Verdict.Trusted(domain);
    }

    /**
     * RFC 6125 §6: a DNS-ID in subjectAltName (a wildcard only as the whole leftmost label, §6.4.3),
     * or an XmppAddr equal to the domain (RFC 6120 §13.7.1.4); the subject CN only when the
     * certificate has no such identifier at all (§6.4.4).
     */
    static boolean matches(X509Certificate certificate, String domain) {
        String reference = domain.toLowerCase(Locale.ROOT);
        boolean presented = false;
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (names != null) {
            for (List<?> name : names) {
                int type = (Integer) name.get(0);
                if (type == SAN_DNS_NAME && name.get(1) instanceof String dns) {
                    presented = true;
                    if (dnsIdMatches(dns, reference)) {
                        return true;
                    }
                } else if (type == SAN_OTHER_NAME && name.get(1) instanceof byte[] der) {
                    Optional<String> xmppAddr = xmppAddr(der);
                    if (xmppAddr.isPresent()) {
                        presented = true;
                        if (xmppAddr.get().toLowerCase(Locale.ROOT).equals(reference)) {
                            return true;
                        }
                    }
                }
            }
        }
        if (presented) {
            return false;
        }
        return commonName(certificate.getSubjectX500Principal()).map(cn -> dnsIdMatches(cn, reference)).orElse(false);
    }

    static boolean dnsIdMatches(String presented, String reference) {
        String id = presented.toLowerCase(Locale.ROOT);
        if (id.endsWith(".")) {
            id = id.substring(0, id.length() - 1);
        }
        if (!id.startsWith("*.")) {
            return id.equals(reference);
        }
        // §6.4.3: '*' matches exactly one whole label, never a public suffix-only rest.
        String rest = id.substring(2);
        int dot = reference.indexOf('.');
        return rest.indexOf('.') > 0 && dot > 0 && reference.substring(dot + 1).equals(rest);
    }

    /**
     * The XmppAddr of an otherName ({@code SEQUENCE { OID, [0] EXPLICIT UTF8String }}), or empty for
     * another kind of otherName or a malformed one. Only the short DER forms a name needs are read.
     */
    static Optional<String> xmppAddr(byte[] der) {
        try {
            Der in = new Der(der);
            // The JDK encodes the OtherName as a SEQUENCE; some versions keep the [0] GeneralName tag.
            in.expectOneOf(0x30, 0xA0);
            in.length();
            in.expect(0x06);
            String oid = in.oid(in.length());
            if (!oid.equals(XMPP_ADDR_OID)) {
                return Optional.empty();
            }
            in.expect(0xA0);
            in.length();
            // JDK 17 re-encodes the value with its [0] EXPLICIT tag inside another one: [0] { [0] { UTF8String } }.
            if (in.peek() == 0xA0) {
                in.expect(0xA0);
                in.length();
            }
            in.expect(0x0C);
            int length = in.length();
            return Optional.of(in.utf8(length));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> commonName(X500Principal subject) {
        String rfc2253 = subject.getName(X500Principal.RFC2253);
        for (String part : rfc2253.split(",")) {
            if (part.regionMatches(true, 0, "CN=", 0, 3)) {
                return Optional.of(part.substring(3));
            }
        }
        return Optional.empty();
    }

    /** A bounds-checked DER reader for {@link #xmppAddr}. */
    private static final class Der {
        private final byte[] bytes;
        private int at;

        Der(byte[] bytes) {
            this.bytes = bytes;
        }

        void expectOneOf(int tag, int other) {
            int found = next();
            if (found != tag && found != other) {
                throw new IllegalArgumentException("unexpected DER tag");
            }
        }

        void expect(int tag) {
            if (next() != tag) {
                throw new IllegalArgumentException("unexpected DER tag");
            }
        }

        int length() {
            int first = next();
            if (first < 0x80) {
                return first;
            }
            int count = first & 0x7F;
            if (count < 1 || count > 3) {
                throw new IllegalArgumentException("bad DER length");
            }
            int length = 0;
            for (int i = 0; i < count; i++) {
                length = (length << 8) | next();
            }
            if (length > bytes.length - at) {
                throw new IllegalArgumentException("DER length beyond the data");
            }
            return length;
        }

        String oid(int length) {
            if (length < 1 || length > bytes.length - at) {
                throw new IllegalArgumentException("bad OID");
            }
            StringBuilder sb = new StringBuilder();
            int first = bytes[at] & 0xFF;
            long value = 0;
            for (int i = 0; i < length; i++) {
                int b = next();
                value = (value << 7) | (b & 0x7F);
                if ((b & 0x80) == 0) {
                    if (sb.length() == 0) {
                        int arc = first < 80 ? (int) value / 40 : 2;
                        sb.append(arc).append('.').append(value - arc * 40L);
                    } else {
                        sb.append('.').append(value);
                    }
                    value = 0;
                }
            }
            return sb.toString();
        }

        String utf8(int length) {
            if (length > bytes.length - at) {
                throw new IllegalArgumentException("string beyond the data");
            }
            String s = new String(bytes, at, length, StandardCharsets.UTF_8);
            at += length;
            return s;
        }

        int peek() {
            return at < bytes.length ? bytes[at] & 0xFF : -1;
        }

        private int next() {
            if (at >= bytes.length) {
                throw new IllegalArgumentException("DER truncated");
            }
            return bytes[at++] & 0xFF;
        }
    }
}
