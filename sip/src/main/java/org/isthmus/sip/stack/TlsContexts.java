package org.isthmus.sip.stack;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Builds the edge's own {@link SSLContext} from PEM files, never from the JVM-wide
 * {@code javax.net.ssl.*} properties: one key with its certificate chain (for the TLS listening point and
 * as client certificate), and the trust anchors for peers (the JDK's when none are given).
 */
public final class TlsContexts {

    private static final char[] IN_MEMORY_PASSWORD = "isthmus".toCharArray();

    private TlsContexts() {
    }

    /**
     * A TLS context from PEM files.
     *
     * @param privateKey       a PEM private key: PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted
     * @param certificateChain PEM certificates, the key's own first
     * @param trusted          PEM certificates of trust anchors; empty for the JDK's default ones
     * @throws IOException              if a file cannot be read or holds no usable key or certificate
     * @throws GeneralSecurityException if the key and certificates cannot be used by JSSE
     */
    public static SSLContext fromPem(Path privateKey, Path certificateChain, Optional<Path> trusted)
            throws IOException, GeneralSecurityException {
        PrivateKey key = readKey(privateKey);
        List<X509Certificate> chain = readCertificates(certificateChain);
        if (chain.isEmpty()) {
            throw new IOException("no certificate in " + certificateChain);
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("sip", key, IN_MEMORY_PASSWORD, chain.toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, IN_MEMORY_PASSWORD);

        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (trusted.isPresent()) {
            KeyStore anchors = KeyStore.getInstance("PKCS12");
            anchors.load(null, null);
            List<X509Certificate> certs = readCertificates(trusted.get());
            if (certs.isEmpty()) {
                throw new IOException("no certificate in " + trusted.get());
            }
            for (int i = 0; i < certs.size(); i++) {
                anchors.setCertificateEntry("anchor-" + i, certs.get(i));
            }
            tmf.init(anchors);
        } else {
            tmf.init((KeyStore) null);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    /**
     * The first unencrypted private key in a PEM file, in any of the forms {@link #fromPem} takes.
     *
     * @throws IOException if the file cannot be read or holds no such key
     */
    public static PrivateKey readKey(Path file) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            }
        }
        throw new IOException("no unencrypted private key in " + file);
    }

    /**
     * The certificates of a PEM file, in file order; empty when it holds none.
     *
     * @throws IOException if the file cannot be read or a certificate in it cannot be parsed
     */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        List<X509Certificate> out = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof X509CertificateHolder holder) {
                    out.add(converter.getCertificate(holder));
                }
            }
        } catch (java.security.cert.CertificateException e) {
            throw new IOException("bad certificate in " + file + ": " + e.getMessage(), e);
        }
        return out;
    }
}
