package org.isthmus.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.ASN1UTF8String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.isthmus.sip.stack.CertificateIdentities;
import org.isthmus.sip.stack.TlsContexts;
import org.isthmus.xmpp.s2s.PeerAddress;
import org.isthmus.xmpp.s2s.S2sCertificates;
import org.isthmus.xmpp.s2s.S2sService;
import org.isthmus.xmpp.s2s.S2sSettings;
import org.isthmus.xmpp.s2s.S2sTls;
import org.isthmus.xmpp.testing.RecordingHandler;

class CertsCommandTest {

    private static final int SAN_OTHER_NAME = 0;
    private static final int SAN_DNS_NAME = 2;
    private static final int SAN_IP_ADDRESS = 7;

    @TempDir
    Path dir;

    @Test
    void selfSignedXmppCertificateLoadsInBothEdgesAndNamesEveryDomain() throws Exception {
        CommandRun run = CommandRun.isthmus("certs", "generate", "--domain", "sip.example", "--domain", "Bücher.example",
                "--xmpp", "--out", dir.toString());

        assertThat(run.status()).as(run.err()).isZero();
        Path key = dir.resolve("sip.example.key");
        Path chain = dir.resolve("sip.example.pem");
        assertThat(run.out()).contains("key          " + key, "certificate  " + chain,
                "xmpp.s2s.tls: {chain: " + chain + ", key: " + key + "}");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.getPosixFilePermissions(key))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        // The s2s edge: the service reads the files when it is made, and fails there on a bad pair.
        S2sSettings settings = S2sSettings.of(Set.of("sip.example"), "127.0.0.1", 0,
                        Optional.of(new S2sTls(chain, key, Optional.of(chain))), "0123456789abcdef0123")
                .withStaticRoute("xmpp.example", PeerAddress.of("127.0.0.1", 5269));
        new S2sService(settings, new RecordingHandler()).close();
        // The SIP edge: its TLS context, used for a real handshake in which the client checks the name.
        handshake(TlsContexts.fromPem(key, chain, Optional.empty()), chain, "sip.example");

        X509Certificate certificate = TlsContexts.readCertificates(chain).get(0);
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=sip.example");
        assertThat(sans(certificate, SAN_DNS_NAME)).containsExactly("sip.example", "xn--bcher-kva.example");
        assertThat(otherNames(certificate)).containsExactly(
                "1.3.6.1.5.5.7.8.7=_xmpp-server.sip.example", "1.3.6.1.5.5.7.8.5=sip.example",
                "1.3.6.1.5.5.7.8.7=_xmpp-server.xn--bcher-kva.example", "1.3.6.1.5.5.7.8.5=bücher.example");
        // As peers judge it: RFC 6125 for s2s, RFC 5922 for SIP.
        assertThat(S2sCertificates.names(certificate, "sip.example")).isTrue();
        assertThat(S2sCertificates.names(certificate, "bücher.example")).isTrue();
        assertThat(S2sCertificates.names(certificate, "other.example")).isFalse();
        assertThat(CertificateIdentities.of(new Certificate[] {certificate}))
                .contains("sip.example", "xn--bcher-kva.example");
        assertThat(certificate.getBasicConstraints()).isEqualTo(-1);
        assertThat(certificate.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(certificate.getNotAfter().toInstant())
                .isBetween(Instant.now().plus(Duration.ofDays(364)), Instant.now().plus(Duration.ofDays(366)));
    }

    @Test
    void withoutXmppOnlyDnsNamesAndIpAddresses() throws Exception {
        CommandRun run = CommandRun.isthmus("certs", "generate", "-d", "xmpp.test", "-d", "192.0.2.7", "-d", "::1",
                "-d", "*.xmpp.test", "--days", "30", "-o", dir.toString());

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains("names        DNS:xmpp.test, IP:192.0.2.7, IP:::1, DNS:*.xmpp.test",
                "sip.listen.tls: {key: ");
        X509Certificate certificate = TlsContexts.readCertificates(dir.resolve("xmpp.test.pem")).get(0);
        assertThat(sans(certificate, SAN_DNS_NAME)).containsExactly("xmpp.test", "*.xmpp.test");
        assertThat(sans(certificate, SAN_IP_ADDRESS)).containsExactly("192.0.2.7", "0:0:0:0:0:0:0:1");
        assertThat(otherNames(certificate)).isEmpty();
        assertThat(certificate.getNotAfter().toInstant())
                .isBetween(Instant.now().plus(Duration.ofDays(29)), Instant.now().plus(Duration.ofDays(31)));
    }

    @Test
    void rsaKeyLoadsInBothEdges() throws Exception {
        CommandRun run = CommandRun.isthmus("certs", "generate", "-d", "sip.example", "--xmpp", "--rsa", "-o", dir.toString());

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains("RSA 3072");
        Path key = dir.resolve("sip.example.key");
        Path chain = dir.resolve("sip.example.pem");
        X509Certificate certificate = TlsContexts.readCertificates(chain).get(0);
        assertThat(((RSAPublicKey) certificate.getPublicKey()).getModulus().bitLength()).isEqualTo(3072);
        S2sCertificates.load(new S2sTls(chain, key, Optional.of(chain)));
        handshake(TlsContexts.fromPem(key, chain, Optional.empty()), chain, "sip.example");
    }

    @Test
    void certificateRequestCarriesTheNamesAndIsSignedByTheKey() throws Exception {
        CommandRun run = CommandRun.isthmus("certs", "generate", "-d", "sip.example", "--xmpp", "--csr", "-o", dir.toString());

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(dir.resolve("sip.example.pem")).doesNotExist();
        assertThat(Files.readString(dir.resolve("sip.example.csr"))).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
        PKCS10CertificationRequest request;
        try (Reader reader = Files.newBufferedReader(dir.resolve("sip.example.csr")); PEMParser pem = new PEMParser(reader)) {
            request = (PKCS10CertificationRequest) pem.readObject();
        }
        PublicKey publicKey = new JcaPKCS10CertificationRequest(request).getPublicKey();
        assertThat(request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey))).isTrue();
        assertThat(TlsContexts.readKey(dir.resolve("sip.example.key")).getAlgorithm()).isEqualTo("EC");
        Extensions extensions = Extensions.getInstance(request.getAttributes(
                PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)[0].getAttrValues().getObjectAt(0));
        GeneralName[] names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName).getNames();
        assertThat(names).hasSize(3);
        assertThat(ASN1IA5String.getInstance(names[0].getName()).getString()).isEqualTo("sip.example");
        assertThat(run.out()).contains("names        DNS:sip.example, SRVName:_xmpp-server.sip.example, XmppAddr:sip.example");
    }

    @Test
    void neverOverwritesWithoutForce() throws IOException {
        assertThat(CommandRun.isthmus("certs", "generate", "-d", "sip.example", "-o", dir.toString()).status()).isZero();
        Path key = dir.resolve("sip.example.key");
        String before = Files.readString(key);

        CommandRun again = CommandRun.isthmus("certs", "generate", "-d", "sip.example", "-o", dir.toString());
        assertThat(again.status()).isEqualTo(CertsCommand.Generate.EXIT_NOT_WRITTEN);
        assertThat(again.err()).contains(key + " and " + dir.resolve("sip.example.pem") + " exist", "--force");
        assertThat(Files.readString(key)).isEqualTo(before);

        CommandRun forced = CommandRun.isthmus("certs", "generate", "-d", "sip.example", "-o", dir.toString(), "--force");
        assertThat(forced.status()).isZero();
        assertThat(Files.readString(key)).isNotEqualTo(before);
        assertThat(Files.getPosixFilePermissions(key))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void badOptionsAreUsageErrorsAndWriteNothing() throws IOException {
        CommandRun badDomain = CommandRun.isthmus("certs", "generate", "-d", "not a domain", "-o", dir.toString());
        assertThat(badDomain.status()).isEqualTo(2);
        assertThat(badDomain.err()).contains("'not a domain' is not a domain name").doesNotContain("\tat ");

        CommandRun daysWithCsr = CommandRun.isthmus("certs", "generate", "-d", "sip.example", "--csr", "--days", "3",
                "-o", dir.toString());
        assertThat(daysWithCsr.status()).isEqualTo(2);
        assertThat(daysWithCsr.err()).contains("--days applies to a self-signed certificate");

        CommandRun noDomain = CommandRun.isthmus("certs", "generate", "-o", dir.toString());
        assertThat(noDomain.status()).isEqualTo(2);
        assertThat(noDomain.err()).contains("--domain");
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    /** A TLS handshake on loopback: the server uses {@code server}, the client trusts {@code chain} and checks {@code name}. */
    private static void handshake(SSLContext server, Path chain, String name) throws Exception {
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("isthmus", TlsContexts.readCertificates(chain).get(0));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(anchors);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, trust.getTrustManagers(), null);
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1,
                InetAddress.getLoopbackAddress())) {
            CompletableFuture<Integer> accepted = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept(); InputStream in = s.getInputStream()) {
                    return in.read();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(
                    InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                SSLParameters parameters = socket.getSSLParameters();
                // The RFC 6125 check JSSE makes for HTTPS; the name is the one the peer asked for, not the IP.
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                parameters.setServerNames(List.of(new SNIHostName(name)));
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                try (OutputStream out = socket.getOutputStream()) {
                    out.write('x');
                }
            }
            assertThat(accepted.get(10, TimeUnit.SECONDS)).isEqualTo('x');
        }
    }

    private static List<String> sans(X509Certificate certificate, int type) throws Exception {
        List<String> out = new ArrayList<>();
        Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        for (List<?> n : names == null ? List.<List<?>>of() : names) {
            if ((Integer) n.get(0) == type) {
                out.add(String.valueOf(n.get(1)));
            }
        }
        return out;
    }

    /** Each otherName as {@code OID=value}, read with no help from the code under test. */
    private static List<String> otherNames(X509Certificate certificate) throws Exception {
        List<String> out = new ArrayList<>();
        Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        for (List<?> n : names == null ? List.<List<?>>of() : names) {
            if ((Integer) n.get(0) == SAN_OTHER_NAME) {
                ASN1Sequence other = otherName((byte[]) n.get(1));
                String oid = ASN1ObjectIdentifier.getInstance(other.getObjectAt(0)).getId();
                ASN1Encodable value = other.getObjectAt(1);
                // The certificate holds [0] EXPLICIT value; the JDK hands it back wrapped in one more [0].
                while (value instanceof ASN1TaggedObject tagged) {
                    value = tagged.getExplicitBaseObject();
                }
                String text = value instanceof ASN1UTF8String u ? u.getString() : ASN1IA5String.getInstance(value).getString();
                out.add(oid + "=" + text);
            }
        }
        return out;
    }

    /** The JDK gives an otherName either as the SEQUENCE or inside its [0] IMPLICIT GeneralName tag. */
    private static ASN1Sequence otherName(byte[] der) {
        if ((der[0] & 0xFF) == 0xA0) {
            return ASN1Sequence.getInstance(ASN1TaggedObject.getInstance(der), false);
        }
        return ASN1Sequence.getInstance(der);
    }
}
