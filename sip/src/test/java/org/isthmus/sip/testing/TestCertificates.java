package org.isthmus.sip.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import org.isthmus.sip.stack.TlsContexts;

/**
 * A throw-away certificate authority for TLS tests: EC P-256 keys, certificates valid for a day, written
 * as PEM files (key, chain, CA) the way an operator would configure them.
 */
public final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path directory;
    private final KeyPair caKeys;
    private final X509Certificate ca;

    /** The PEM files of one issued certificate. */
    public record Issued(Path key, Path chain, Path ca) {
        /** This certificate's own TLS context, trusting the test CA. */
        public SSLContext context() {
            try {
                return TlsContexts.fromPem(key, chain, Optional.of(ca));
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private TestCertificates(Path directory) throws GeneralSecurityException, OperatorCreationException, IOException {
        this.directory = directory;
        this.caKeys = keys();
        X500Name name = new X500Name("CN=Isthmus test CA");
        JcaX509v3CertificateBuilder b = builder(name, name, caKeys);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        this.ca = sign(b, caKeys);
        write(directory.resolve("ca.pem"), List.of(ca));
    }

    /** A new CA whose files go into a new directory under {@code java.io.tmpdir}. */
    public static TestCertificates create() {
        try {
            return new TestCertificates(Files.createTempDirectory("isthmus-tls-"));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot create the test CA: " + e, e);
        }
    }

    /** The CA certificate's PEM file. */
    public Path caFile() {
        return directory.resolve("ca.pem");
    }

    /**
     * A certificate for {@code names}: each one a subjectAltName, as an IP address if it is a literal, else
     * as a DNS name; the first also as CN.
     */
    public Issued issue(String file, String... names) {
        try {
            KeyPair keys = keys();
            JcaX509v3CertificateBuilder b = builder(new X500Name("CN=Isthmus test CA"),
                    new X500Name("CN=" + names[0]), keys);
            List<GeneralName> san = new ArrayList<>();
            for (String n : names) {
                boolean ip = n.indexOf(':') >= 0 || n.chars().allMatch(c -> Character.isDigit(c) || c == '.');
                san.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, n));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san.toArray(new GeneralName[0])));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            X509Certificate cert = sign(b, caKeys);
            Path key = directory.resolve(file + "-key.pem");
            Path chain = directory.resolve(file + "-chain.pem");
            // PKCS#8: the JDK's EC key written as SEC1 would lose its curve (it is in the PKCS#8 wrapper).
            write(key, List.of(new JcaPKCS8Generator(keys.getPrivate(), null).generate()));
            write(chain, List.of(cert, ca));
            return new Issued(key, chain, caFile());
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot issue a test certificate: " + e, e);
        }
    }

    private static KeyPair keys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                keys.getPublic());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair issuer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    private static void write(Path file, List<Object> objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                pem.writeObject(o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.writeString(file, out.toString(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
