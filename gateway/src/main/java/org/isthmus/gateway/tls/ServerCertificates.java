package org.isthmus.gateway.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Makes the gateway's own TLS credentials with Bouncy Castle: a new key and either a self-signed
 * certificate or a certificate request (PKCS #10) for a CA, both naming {@link ServerNames}. The key
 * is written as unencrypted PKCS #8 PEM ({@code BEGIN PRIVATE KEY}), the one form both edges read:
 * the s2s TLS contexts load it through Netty, which takes PKCS #8 only, and the SIP edge takes it
 * among others.
 */
public final class ServerCertificates {

    /** Starts the validity a little in the past, so a peer whose clock lags accepts a new certificate. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private static final SecureRandom RANDOM = new SecureRandom();

    private ServerCertificates() {
    }

    /** A key and its self-signed certificate. */
    public record SelfSigned(PrivateKey key, X509Certificate certificate) {
        /** The key as PKCS #8 PEM. */
        public String keyPem() {
            return pemKey(key);
        }

        /** The certificate as PEM: the whole chain, as it has no issuer but itself. */
        public String certificatePem() {
            return pem(certificate);
        }
    }

    /** A key and a request for a CA to certify it. */
    public record Request(PrivateKey key, PKCS10CertificationRequest request) {
        /** The key as PKCS #8 PEM. */
        public String keyPem() {
            return pemKey(key);
        }

        /** The request as PEM ({@code BEGIN CERTIFICATE REQUEST}), as CAs take it. */
        public String requestPem() {
            return pem(request);
        }
    }

    /**
     * A new key and a certificate for {@code names}, signed by that key, valid from now (less
     * {@link #CLOCK_SKEW}) for {@code validity}. It is an end entity (CA: false) with the serverAuth
     * and clientAuth purposes, as the s2s edge presents it both when it accepts and when it connects
     * (SASL EXTERNAL, XEP-0178). It carries no keyUsage extension: a self-signed certificate that
     * lacks keyCertSign is not taken as its own issuer by OpenSSL, so a peer that pins it as a
     * trust anchor would still refuse it.
     */
    public static SelfSigned selfSigned(ServerNames names, KeyAlgorithm algorithm, Instant now, Duration validity) {
        KeyPair keys = algorithm.generate();
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(names.subject(), serial(),
                    Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(validity)), names.subject(), keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.extendedKeyUsage, false, purposes());
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
            builder.addExtension(Extension.subjectAlternativeName, false, names.subjectAltNames());
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(signer(algorithm, keys)));
            return new SelfSigned(keys.getPrivate(), certificate);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the certificate: " + e.getMessage(), e);
        }
    }

    /**
     * A new key and a request for {@code names}, asking for the extensions a CA should put in the
     * certificate (PKCS #9 extensionRequest): the subjectAltNames, the key usage TLS needs of this
     * key type, and the serverAuth and clientAuth purposes.
     */
    public static Request request(ServerNames names, KeyAlgorithm algorithm) {
        KeyPair keys = algorithm.generate();
        try {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.subjectAlternativeName, false, names.subjectAltNames());
            // TLS 1.2's RSA key exchange encrypts with the key; every other use signs.
            int usage = algorithm == KeyAlgorithm.RSA_3072
                    ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment : KeyUsage.digitalSignature;
            extensions.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
            extensions.addExtension(Extension.extendedKeyUsage, false, purposes());
            PKCS10CertificationRequest request = new JcaPKCS10CertificationRequestBuilder(names.subject(), keys.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(signer(algorithm, keys));
            return new Request(keys.getPrivate(), request);
        } catch (IOException e) {
            throw new IllegalStateException("cannot make the certificate request: " + e.getMessage(), e);
        }
    }

    private static ExtendedKeyUsage purposes() {
        return new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth});
    }

    private static ContentSigner signer(KeyAlgorithm algorithm, KeyPair keys) {
        try {
            return new JcaContentSignerBuilder(algorithm.signatureAlgorithm()).build(keys.getPrivate());
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign with " + algorithm + ": " + e.getMessage(), e);
        }
    }

    /** A positive 127-bit random serial: unpredictable, within the 20 octets RFC 5280 §4.1.2.2 allows. */
    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).setBit(0);
    }

    private static String pemKey(PrivateKey key) {
        try {
            return pem(new JcaPKCS8Generator(key, null).generate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
