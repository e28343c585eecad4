package org.isthmus.gateway.e2e;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyAgreeEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyAgreeRecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Test-side S/MIME (RFC 5751) with Bouncy Castle: a CA, users with RSA or EC keys whose certificates
 * name them as RFC 3923 §6.3 asks, Message/CPIM objects signed ({@code multipart/signed}) and
 * encrypted ({@code application/pkcs7-mime} enveloped-data), and the far end's verify and decrypt.
 */
public final class SmimeObjects {

    static final Provider BC = new BouncyCastleProvider();
    /** The boundary of every multipart/signed object made here. */
    public static final String BOUNDARY = "isthmus-e2e-test";
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private SmimeObjects() {
    }

    /** RSA or EC keys. */
    public enum Keys { RSA, EC }

    /** A key pair and its certificate. */
    public record Party(KeyPair keys, X509Certificate certificate) {
        PrivateKey privateKey() {
            return keys.getPrivate();
        }
    }

    /** A self-signed CA. */
    public static Party ca() {
        return issue("CN=Isthmus test CA", null, Keys.RSA, null);
    }

    /** A user certificate from {@code ca} with {@code uri} as its subjectAltName. */
    public static Party user(String uri, Keys keys, Party ca) {
        return issue("CN=" + uri, uri, keys, ca);
    }

    private static Party issue(String subject, String uri, Keys keys, Party ca) {
        try {
            KeyPairGenerator generator;
            if (keys == Keys.RSA) {
                generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
            } else {
                generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            }
            KeyPair pair = generator.generateKeyPair();
            Instant now = Instant.now();
            X500Name issuer = ca == null ? new X500Name(subject)
                    : X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(1, ChronoUnit.HOURS)),
                    Date.from(now.plus(1, ChronoUnit.DAYS)), new X500Name(subject), pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca == null));
            if (uri != null) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
            }
            PrivateKey signingKey = ca == null ? pair.getPrivate() : ca.privateKey();
            String algorithm = signingKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            ContentSigner signer = new JcaContentSignerBuilder(algorithm).setProvider(BC).build(signingKey);
            X509CertificateHolder holder = builder.build(signer);
            return new Party(pair, new JcaX509CertificateConverter().setProvider(BC).getCertificate(holder));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The certificate in PEM, for a trust store file. */
    public static String pem(X509Certificate certificate) {
        try {
            java.io.StringWriter out = new java.io.StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
                writer.writeObject(certificate);
            }
            return out.toString();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A Message/CPIM object with its own MIME header (RFC 3862 §2, RFC 3923 Example 1), CRLF line breaks. */
    public static byte[] cpim(String from, String to, String text) {
        return ("Content-Type: message/cpim\r\n\r\n"
                + "From: <" + from + ">\r\n"
                + "To: <" + to + ">\r\n"
                + "DateTime: " + Instant.now().truncatedTo(ChronoUnit.MILLIS) + "\r\n\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                + text).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * An application/pidf+xml object with its own MIME header (RFC 3923 Example 7): one open tuple with
     * the note, and a timestamp, as RFC 3856 §9.4 asks of signed presence; CRLF line breaks.
     */
    public static byte[] pidf(String entity, String note) {
        return ("Content-Type: application/pidf+xml\r\n\r\n"
                + "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
                + "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"" + entity + "\">\r\n"
                + "  <tuple id=\"e2e\"><status><basic>open</basic></status><note>" + note + "</note>"
                + "<timestamp>" + Instant.now().truncatedTo(ChronoUnit.MILLIS) + "</timestamp></tuple>\r\n"
                + "</presence>").getBytes(StandardCharsets.UTF_8);
    }

    /** The Content-Type of the multipart/signed objects made here. */
    public static String signedType() {
        return "multipart/signed; boundary=" + BOUNDARY + "; micalg=sha-256; protocol=\"application/pkcs7-signature\"";
    }

    /** The body of a multipart/signed object (RFC 5751 §3.5.3) over the entity, signed by {@code signer}. */
    public static byte[] signed(byte[] entity, Party signer) {
        byte[] der = signature(entity, signer);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--" + BOUNDARY + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(entity);
        out.writeBytes(("\r\n--" + BOUNDARY + "\r\n"
                + "Content-Type: application/pkcs7-signature; name=smime.p7s\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment; handling=required; filename=smime.p7s\r\n\r\n"
                + Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encodeToString(der)
                + "\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** The text of an {@code <e2e/>} element for a multipart/signed body (RFC 3923 Example 3). */
    public static String signedE2e(byte[] body) {
        return "Content-Type: " + signedType() + "\r\n\r\n" + new String(body, StandardCharsets.UTF_8);
    }

    /** A detached CMS SignedData over the content, with the signer's certificate in it. */
    static byte[] signature(byte[] content, Party signer) {
        try {
            String algorithm = signer.privateKey().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            ContentSigner contentSigner = new JcaContentSignerBuilder(algorithm).setProvider(BC).build(signer.privateKey());
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(
                    new JcaDigestCalculatorProviderBuilder().setProvider(BC).build()).build(contentSigner, signer.certificate()));
            generator.addCertificates(new JcaCertStore(List.of(signer.certificate())));
            return generator.generate(new CMSProcessableByteArray(content), false).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An EnvelopedData (RFC 5652 §6) of the entity for the recipient: RSA key transport or ECDH, AES-128-CBC. */
    public static byte[] enveloped(byte[] entity, Party recipient) {
        try {
            CMSEnvelopedDataGenerator generator = new CMSEnvelopedDataGenerator();
            if (recipient.certificate().getPublicKey().getAlgorithm().equals("RSA")) {
                generator.addRecipientInfoGenerator(new JceKeyTransRecipientInfoGenerator(recipient.certificate())
                        .setProvider(BC));
            } else {
                KeyPairGenerator ephemeral = KeyPairGenerator.getInstance("EC");
                ephemeral.initialize(new ECGenParameterSpec("secp256r1"));
                KeyPair e = ephemeral.generateKeyPair();
                generator.addRecipientInfoGenerator(new JceKeyAgreeRecipientInfoGenerator(CMSAlgorithm.ECDH_SHA256KDF,
                        e.getPrivate(), e.getPublic(), CMSAlgorithm.AES128_WRAP)
                        .addRecipient(recipient.certificate()).setProvider(BC));
            }
            return generator.generate(new CMSProcessableByteArray(entity),
                    new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES128_CBC).setProvider(BC).build()).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Content-Type of an enveloped object (RFC 5751 §3.3). */
    public static String envelopedType() {
        return "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m";
    }

    /** The far end decrypts (RFC 5751 §3.3) with its private key. */
    public static byte[] decrypt(byte[] der, Party recipient) {
        try {
            RecipientInformation info = new CMSEnvelopedData(der).getRecipientInfos().getRecipients().iterator().next();
            return recipient.privateKey().getAlgorithm().equals("RSA")
                    ? info.getContent(new JceKeyTransEnvelopedRecipient(recipient.privateKey()).setProvider(BC))
                    : info.getContent(new JceKeyAgreeEnvelopedRecipient(recipient.privateKey()).setProvider(BC));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The far end verifies a multipart/signed body: the first part's octets against the CMS signature
     * of the second, with the certificate carried in it, which must be {@code expectedSigner}.
     */
    public static boolean verifies(byte[] body, X509Certificate expectedSigner) {
        try {
            String text = new String(body, StandardCharsets.ISO_8859_1);
            String dash = "--" + BOUNDARY;
            int first = text.indexOf(dash + "\r\n");
            int second = text.indexOf("\r\n" + dash + "\r\n", first);
            int end = text.indexOf("\r\n" + dash + "--", second + 2);
            byte[] content = text.substring(first + dash.length() + 2, second).getBytes(StandardCharsets.ISO_8859_1);
            String part = text.substring(second + dash.length() + 4, end);
            String base64 = part.substring(part.indexOf("\r\n\r\n") + 4);
            CMSSignedData signed = new CMSSignedData(new CMSProcessableByteArray(content),
                    Base64.getMimeDecoder().decode(base64));
            for (SignerInformation signer : signed.getSignerInfos().getSigners()) {
                if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(BC).build(expectedSigner))) {
                    return false;
                }
            }
            return !signed.getSignerInfos().getSigners().isEmpty();
        } catch (org.bouncycastle.cms.CMSException e) {
            return false;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The body with one octet flipped, at {@code offset} from the start of the signed content. */
    public static byte[] flipped(byte[] body, String inside) {
        byte[] copy = body.clone();
        int at = new String(copy, StandardCharsets.ISO_8859_1).indexOf(inside);
        if (at < 0) {
            throw new IllegalArgumentException("no " + inside + " in the body");
        }
        copy[at] ^= 0x01;
        return copy;
    }
}
