package org.isthmus.gateway.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;

import org.isthmus.gateway.tls.CertificateNames;
import org.isthmus.gateway.tls.ServerNames;
import org.isthmus.sip.SipTls;
import org.isthmus.sip.stack.CertificateIdentities;
import org.isthmus.sip.stack.TlsContexts;
import org.isthmus.xmpp.XmppException;
import org.isthmus.xmpp.s2s.S2sCertificates;
import org.isthmus.xmpp.s2s.S2sTls;

/**
 * The checks of {@code check-config} on the gateway's own certificates: that each edge loads its
 * files as it does at start, that the key belongs to the certificate, that every certificate of the
 * chain is valid today (and the gateway's own one for a while yet), and that it names every domain
 * the edge serves by that edge's rules: RFC 6125 §6 with XmppAddr for s2s, RFC 5922 §7 for SIP.
 */
final class TlsChecks {

    /** A certificate that ends sooner than this is reported, so it is renewed before peers refuse it. */
    static final Duration EXPIRY_WARNING = Duration.ofDays(14);

    private static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

    private final Instant now;

    TlsChecks(Instant now) {
        this.now = now;
    }

    /** The s2s certificate, which must name every domain Isthmus serves as an XMPP server. */
    List<Check> s2s(S2sTls tls, Set<String> domains) {
        return checks(new Edge("xmpp.s2s.tls", tls.certificateChain(), tls.privateKey(), () -> {
            try {
                S2sCertificates.load(tls);
                return Optional.empty();
            } catch (XmppException e) {
                return Optional.of(e.getMessage());
            }
        }, S2sCertificates::names, "peers that do not trust this very certificate refuse SASL EXTERNAL "
                + "(XEP-0178) and authenticate Isthmus by dialback", "--xmpp "), domains);
    }

    /**
     * The SIP TLS certificate, which must name every XMPP user domain: SIP peers reach those users
     * at Isthmus and check the certificate against the domain of the Request-URI (RFC 5922 §7.2).
     */
    List<Check> sip(SipTls tls, Set<String> domains) {
        return checks(new Edge("sip.listen.tls", tls.certificateChain(), tls.privateKey(), () -> {
            try {
                TlsContexts.fromPem(tls.privateKey(), tls.certificateChain(), tls.trustedCertificates());
                return Optional.empty();
            } catch (IOException | GeneralSecurityException e) {
                return Optional.of(e.getMessage());
            }
        }, (certificate, domain) -> CertificateIdentities.of(new Certificate[] {certificate})
                .contains(CertificateIdentities.canonicalIp(ServerNames.ascii(domain))),
                "SIP peers refuse it unless they add it to the certificates they trust", ""), domains);
    }

    /**
     * What differs between the edges.
     *
     * @param subject     the configuration path, the subject of every line
     * @param load        loads the files as the edge does; the reason when it cannot
     * @param names       whether a certificate names a prepared domain, by the edge's rules
     * @param selfSigned  what a self-signed certificate means to the edge's peers
     * @param generateFor the options {@code certs generate} needs for this edge
     */
    private record Edge(String subject, Path chain, Path key, Loader load, BiPredicate<X509Certificate, String> names,
                        String selfSigned, String generateFor) {
    }

    /** Loads an edge's files; the reason it cannot, if it cannot. */
    @FunctionalInterface
    private interface Loader {
        Optional<String> load();
    }

    private List<Check> checks(Edge edge, Set<String> domains) {
        List<Check> out = new ArrayList<>();
        String subject = edge.subject();
        Optional<String> loadFailure = edge.load().load();
        List<X509Certificate> chain;
        try {
            chain = TlsContexts.readCertificates(edge.chain());
        } catch (IOException e) {
            chain = List.of();
        }
        if (chain.isEmpty()) {
            out.add(Check.fail(subject, "no certificate can be read from " + edge.chain()
                    + loadFailure.map(f -> " (" + f + ")").orElse(""),
                    "give the PEM certificate chain, the gateway's own certificate first; "
                            + "'isthmus certs generate' makes a self-signed one"));
            return out;
        }
        X509Certificate own = chain.get(0);
        Optional<Boolean> matches = keyMatches(edge.key(), own.getPublicKey());
        if (loadFailure.isPresent()) {
            out.add(Check.fail(subject, "the edge cannot load " + edge.chain() + " and " + edge.key() + ": "
                    + loadFailure.get(), "give the PEM chain and its unencrypted PKCS#8 key (BEGIN PRIVATE KEY); "
                    + "'openssl pkcs8 -topk8 -nocrypt' converts other key files"));
        } else if (matches.isPresent() && !matches.get()) {
            out.add(Check.fail(subject, edge.key() + " is not the key of the certificate in " + edge.chain(),
                    "give the key the certificate was issued for"));
        } else {
            out.add(Check.ok(subject, edge.chain() + " and " + edge.key() + " load, and the key is the certificate's"));
        }
        out.addAll(dates(subject, chain));
        out.add(names(edge, own, domains));
        if (chain.size() == 1 && own.getSubjectX500Principal().equals(own.getIssuerX500Principal())) {
            out.add(Check.warn(subject, "the certificate is self-signed: " + edge.selfSigned(),
                    "have a CA sign a request ('isthmus certs generate --csr') when peers must authenticate Isthmus"));
        }
        return out;
    }

    private List<Check> dates(String subject, List<X509Certificate> chain) {
        List<Check> out = new ArrayList<>();
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate c = chain.get(i);
            String which = i == 0 ? "the certificate" : "chain certificate " + (i + 1) + " ("
                    + c.getSubjectX500Principal().getName() + ")";
            Instant notBefore = c.getNotBefore().toInstant();
            Instant notAfter = c.getNotAfter().toInstant();
            if (notAfter.isBefore(now)) {
                out.add(Check.fail(subject, which + " expired on " + DAY.format(notAfter),
                        "renew it; peers refuse an expired certificate"));
            } else if (notBefore.isAfter(now)) {
                out.add(Check.fail(subject, which + " is not valid before " + DAY.format(notBefore),
                        "check this machine's clock, or wait until then"));
            } else if (i == 0) {
                long days = Duration.between(now, notAfter).toDays();
                if (Duration.between(now, notAfter).compareTo(EXPIRY_WARNING) < 0) {
                    out.add(Check.warn(subject, "the certificate expires on " + DAY.format(notAfter) + ", in " + days
                            + " day(s)", "renew it before then"));
                } else {
                    out.add(Check.ok(subject, "valid until " + DAY.format(notAfter) + " (" + days + " days)"));
                }
            }
        }
        return out;
    }

    private static Check names(Edge edge, X509Certificate own, Set<String> domains) {
        List<String> missing = domains.stream().filter(d -> !edge.names().test(own, d)).toList();
        if (missing.isEmpty()) {
            return Check.ok(edge.subject(), "the certificate names " + String.join(", ", domains));
        }
        List<String> present = CertificateNames.of(own);
        return Check.fail(edge.subject(), "the certificate does not name " + String.join(", ", missing)
                        + " (it names " + (present.isEmpty() ? "no subjectAltName" : String.join(", ", present)) + ")",
                "get a certificate with subjectAltName DNS:" + String.join(", DNS:", missing.stream()
                        .map(ServerNames::ascii).toList()) + ", e.g. 'isthmus certs generate " + edge.generateFor()
                        + String.join(" ", domains.stream().map(d -> "--domain " + ServerNames.ascii(d)).toList()) + "'");
    }

    /**
     * Whether the key in {@code file} signs what {@code certified} verifies; empty when the key cannot
     * be read (the edge's loader says why) or is of a type not tried here.
     */
    private static Optional<Boolean> keyMatches(Path file, PublicKey certified) {
        try {
            PrivateKey key = TlsContexts.readKey(file);
            String algorithm = switch (key.getAlgorithm()) {
                case "EC" -> "SHA256withECDSA";
                case "RSA" -> "SHA256withRSA";
                case "Ed25519", "EdDSA" -> "Ed25519";
                default -> null;
            };
            if (algorithm == null) {
                return Optional.empty();
            }
            byte[] probe = "isthmus check-config".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(probe);
            return Optional.of(verifier.verify(signature));
        } catch (IOException | GeneralSecurityException e) {
            // Another key type than the certificate's is a mismatch too.
            return e instanceof InvalidKeyException ? Optional.of(false) : Optional.empty();
        }
    }
}
