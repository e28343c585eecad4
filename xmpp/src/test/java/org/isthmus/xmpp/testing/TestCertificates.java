package org.isthmus.xmpp.testing;

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
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made for one test with Bouncy Castle, and the server certificates it
 * issues as PEM files (RFC 6120 §13.7.1.2: a DNS-ID and an XmppAddr for the domain): valid, expired,
 * for another name, or self-signed by no authority at all. Keys are EC P-256, written as PKCS#8.
 */
public final class TestCertificates {

    /** id-on-xmppAddr (RFC 6120 §13.7.1.4). */
    private static final String XMPP_ADDR_OID = "1.3.6.1.5.5.7.8.5";
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path directory;
    private final KeyPair caKeys;
    private final X509Certificate caCertificate;
    private final Path caFile;

    /** A certificate file (leaf first, then the CA unless self-signed) and its key file. */
    public record Issued(Path chain, Path key) {
    }

    private TestCertificates(Path directory, KeyPair caKeys, X509Certificate caCertificate, Path caFile) {
        this.directory = directory;
        this.caKeys = caKeys;
        this.caCertificate = caCertificate;
        this.caFile = caFile;
    }

    /** A new CA named {@code name}, its certificate written to {@code directory/name-ca.pem}. */
    public static TestCertificates authority(Path directory, String name) {
        try {
            Files.createDirectories(directory);
            KeyPair keys = newKeys();
            X500Name subject = new X500Name("CN=" + name + " test CA");
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(30))), subject,
                    keys.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate ca = sign(builder, keys);
            Path caFile = directory.resolve(name + "-ca.pem");
            Files.writeString(caFile, pem(ca), StandardCharsets.US_ASCII);
            return new TestCertificates(directory, keys, ca, caFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a test CA", e);
        }
    }

    /** The CA certificate as PEM: the trust anchor peers are given. */
    public Path caFile() {
        return caFile;
    }

    /** A valid certificate for {@code domain}. */
    public Issued issue(String domain) {
        Instant now = Instant.now();
        return issue(domain, domain, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(7)), false);
    }

    /** A certificate for {@code domain} whose validity ended yesterday. */
    public Issued issueExpired(String domain) {
        Instant now = Instant.now();
        return issue(domain + "-expired", domain, now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)), false);
    }

    /** A valid certificate that names {@code otherDomain}, filed as {@code fileName}. */
    public Issued issueForOtherName(String fileName, String otherDomain) {
        Instant now = Instant.now();
        return issue(fileName + "-wrong-name", otherDomain, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(7)),
                false);
    }

    /** A certificate for {@code domain} signed by its own key, which no CA vouches for. */
    public Issued selfSigned(String domain) {
        Instant now = Instant.now();
        return issue(domain + "-self-signed", domain, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(7)), true);
    }

    private Issued issue(String fileName, String domain, Instant notBefore, Instant notAfter, boolean selfSigned) {
        try {
            KeyPair keys = newKeys();
            X500Name subject = new X500Name("CN=" + domain);
            X500Name issuer = selfSigned ? subject : X500Name.getInstance(caCertificate.getSubjectX500Principal().getEncoded());
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(notBefore),
                    Date.from(notAfter), subject, keys.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            if (!selfSigned) {
                builder.addExtension(Extension.authorityKeyIdentifier, false,
                        utils.createAuthorityKeyIdentifier(caCertificate));
            }
            GeneralName xmppAddr = new GeneralName(GeneralName.otherName, new DERSequence(new ASN1Encodable[] {
                    new ASN1ObjectIdentifier(XMPP_ADDR_OID), new DERTaggedObject(true, 0, new DERUTF8String(domain))}));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, domain), xmppAddr}));
            X509Certificate certificate = sign(builder, selfSigned ? keys : caKeys);
            Path chain = directory.resolve(fileName + ".crt");
            Path key = directory.resolve(fileName + ".key");
            Files.writeString(chain, pem(certificate) + (selfSigned ? "" : pem(caCertificate)), StandardCharsets.US_ASCII);
            StringWriter keyPem = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(keyPem)) {
                writer.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
            }
            Files.writeString(key, keyPem.toString(), StandardCharsets.US_ASCII);
            return new Issued(chain, key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a test certificate for " + domain, e);
        }
    }

    private static KeyPair newKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
