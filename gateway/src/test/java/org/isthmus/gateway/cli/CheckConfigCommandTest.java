package org.isthmus.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.isthmus.gateway.tls.KeyAlgorithm;
import org.isthmus.gateway.tls.ServerCertificates;
import org.isthmus.gateway.tls.ServerNames;
import org.isthmus.sip.SipDns;
import org.isthmus.sip.stack.TlsContexts;

/**
 * check-config against real sockets on loopback: a listening one, a closed one. DNS is either off
 * (--no-dns, xmpp.s2s.dns: false) or a {@link LoopbackDns}, so nothing is looked up off the machine.
 */
class CheckConfigCommandTest {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

    @TempDir
    Path dir;

    /** Plays the XMPP server's component listener. */
    private ServerSocket listening;
    /** A loopback port known to be closed: it was bound, then released. */
    private int closedPort;

    @BeforeEach
    void sockets() throws IOException {
        listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
    }

    @AfterEach
    void close() throws IOException {
        listening.close();
    }

    private CommandRun check(String yaml, String... options) throws IOException {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, yaml);
        String[] args = new String[options.length + 5];
        args[0] = "check-config";
        args[1] = "--config";
        args[2] = file.toString();
        args[3] = "--timeout";
        args[4] = "2";
        System.arraycopy(options, 0, args, 5, options.length);
        return CommandRun.isthmus(args);
    }

    private String component(int port) {
        return "xmpp:\n"
                + "  component: {host: 127.0.0.1, port: " + port + ", domain: sip.xmpp.test, secret: s3cret}\n"
                + "  domains: [xmpp.test]\n";
    }

    private String store() {
        return "store: {type: embedded, data-dir: " + dir.resolve("data") + "}\n";
    }

    @Test
    void reachableComponentAndWritableStoreAreAllOk() throws IOException {
        CommandRun run = check(component(listening.getLocalPort())
                + "sip:\n  routes:\n    - {domain: sip.test, host: 192.0.2.10, port: 5060, transport: udp}\n" + store());

        assertThat(run.lines()).containsExactly(
                "OK   config: " + dir.resolve("gateway.yaml") + " is valid",
                "OK   component sip.xmpp.test: 127.0.0.1:" + listening.getLocalPort()
                        + " accepts TCP connections (the XMPP server's component listener)",
                "SKIP sip route sip.test: 192.0.2.10:5060 over UDP cannot be checked: UDP has no connection to open "
                        + "(send it an OPTIONS request, e.g. with sipsak or sipp, to see it answer)",
                "OK   store: embedded, data-dir " + dir.resolve("data") + " does not exist yet and will be made at start",
                "4 checks: 3 OK, 1 skipped, 0 warning(s), 0 failure(s)");
        assertThat(run.status()).isEqualTo(CheckConfigCommand.EXIT_OK);
    }

    @Test
    void closedComponentPortFailsWithTheFix() throws IOException {
        CommandRun run = check(component(closedPort) + store());

        assertThat(run.out()).contains("FAIL component sip.xmpp.test: 127.0.0.1:" + closedPort + " refused the connection "
                + "(the XMPP server's component listener); fix: start the XMPP server, check that it listens for "
                + "components there");
        assertThat(run.status()).isEqualTo(CheckConfigCommand.EXIT_FAILED);
    }

    @Test
    void sipNextHopsOverTcpAndTlsAreConnectedTo() throws IOException {
        int open = listening.getLocalPort();
        CommandRun run = check(component(open) + "sip:\n  routes:\n"
                + "    - {domain: a.example, host: 127.0.0.1, port: " + open + ", transport: tcp}\n"
                + "    - {domain: b.example, outbound-proxy: \"sip:127.0.0.1:" + closedPort + ";transport=tcp\"}\n"
                + "    - {domain: c.example, resolve: dns}\n"
                + "  default-route: {outbound-proxy: \"sip:proxy.example;transport=tcp\"}\n" + store());

        assertThat(run.lines()).contains(
                "OK   sip route a.example: 127.0.0.1:" + open + " accepts TCP connections (the SIP next hop over TCP)",
                "FAIL sip route b.example: 127.0.0.1:" + closedPort + " refused the connection (the SIP next hop over "
                        + "TCP); fix: start the SIP server there, or correct the outbound-proxy URI",
                "SKIP sip route c.example: the domain's servers are found by RFC 3263 (NAPTR, SRV, A) when a request "
                        + "is sent; not checked here",
                "SKIP sip default-route: outbound proxy sip:proxy.example;transport=tcp is located by RFC 3263 "
                        + "(NAPTR, SRV) when a request is sent; not checked here");
        assertThat(run.status()).isEqualTo(CheckConfigCommand.EXIT_FAILED);
    }

    @Test
    void certificateForAnotherNameFailsAndSaysWhichNameIsMissing() throws IOException {
        Path tls = dir.resolve("tls");
        assertThat(CommandRun.isthmus("certs", "generate", "--domain", "other.example", "--xmpp", "--out", tls.toString())
                .status()).isZero();
        CommandRun run = check(s2s(tls.resolve("other.example.pem"), tls.resolve("other.example.key"), "") + store(),
                "--no-dns");

        assertThat(run.out()).contains("FAIL xmpp.s2s.tls: the certificate does not name sip.example (it names "
                + "DNS:other.example, SRVName:_xmpp-server.other.example, XmppAddr:other.example); fix: get a "
                + "certificate with subjectAltName DNS:sip.example, e.g. 'isthmus certs generate --xmpp --domain sip.example'");
        assertThat(run.status()).isEqualTo(CheckConfigCommand.EXIT_FAILED);
    }

    @Test
    void generatedCertificatesPassButSelfSignedOnesAreReported() throws IOException {
        Path tls = dir.resolve("tls");
        assertThat(CommandRun.isthmus("certs", "generate", "-d", "sip.example", "--xmpp", "-o", tls.toString()).status())
                .isZero();
        assertThat(CommandRun.isthmus("certs", "generate", "-d", "xmpp.test", "-o", tls.toString()).status()).isZero();
        CommandRun run = check(s2s(tls.resolve("sip.example.pem"), tls.resolve("sip.example.key"),
                "  listen:\n    tls: {key: " + tls.resolve("xmpp.test.key") + ", chain: " + tls.resolve("xmpp.test.pem")
                        + "}\n") + store(), "--no-dns");

        String until = notAfter(tls.resolve("sip.example.pem"));
        assertThat(run.lines()).contains(
                "OK   xmpp.s2s.tls: " + tls.resolve("sip.example.pem") + " and " + tls.resolve("sip.example.key")
                        + " load, and the key is the certificate's",
                "OK   xmpp.s2s.tls: valid until " + until + " (364 days)",
                "OK   xmpp.s2s.tls: the certificate names sip.example",
                "OK   sip.listen.tls: the certificate names xmpp.test",
                "SKIP dns: SRV records not checked: --no-dns");
        assertThat(run.out()).contains("WARN xmpp.s2s.tls: the certificate is self-signed: peers that do not trust this "
                        + "very certificate refuse SASL EXTERNAL (XEP-0178) and authenticate Isthmus by dialback", "WARN sip.listen.tls: the certificate is self-signed: SIP peers refuse it")
                .doesNotContain("FAIL");
        assertThat(run.status()).isEqualTo(CheckConfigCommand.EXIT_WARNINGS);
    }

    @Test
    void expiredCertificateAndAKeyOfAnotherCertificateFail() throws IOException {
        ServerNames names = new ServerNames(List.of("sip.example"), true);
        ServerCertificates.SelfSigned old = ServerCertificates.selfSigned(names, KeyAlgorithm.EC_P256,
                Instant.now().minus(Duration.ofDays(400)), Duration.ofDays(30));
        ServerCertificates.SelfSigned other = ServerCertificates.selfSigned(names, KeyAlgorithm.EC_P256, Instant.now(),
                Duration.ofDays(30));
        Path chain = Files.writeString(dir.resolve("old.pem"), old.certificatePem());
        Path key = Files.writeString(dir.resolve("other.key"), other.keyPem());
        CommandRun run = check(s2s(chain, key, "") + store(), "--no-dns");

        assertThat(run.out()).contains(
                "FAIL xmpp.s2s.tls: " + key + " is not the key of the certificate in " + chain
                        + "; fix: give the key the certificate was issued for",
                "FAIL xmpp.s2s.tls: the certificate expired on " + notAfter(chain));
        assertThat(run.status()).isEqualTo(CheckConfigCommand.EXIT_FAILED);
    }

    @Test
    void keyFileTheEdgeCannotLoadFails() throws IOException {
        Path tls = dir.resolve("tls");
        assertThat(CommandRun.isthmus("certs", "generate", "-d", "sip.example", "-o", tls.toString()).status()).isZero();
        Path key = Files.writeString(dir.resolve("broken.key"), "-----BEGIN PRIVATE KEY-----\nnot a key\n");
        CommandRun run = check(s2s(tls.resolve("sip.example.pem"), key, "") + store(), "--no-dns");

        assertThat(run.out()).contains("FAIL xmpp.s2s.tls: the edge cannot load " + tls.resolve("sip.example.pem")
                + " and " + key + ": ");
        assertThat(run.status()).isEqualTo(CheckConfigCommand.EXIT_FAILED);
    }

    @Test
    void invalidFileIsStatus2AndOnlyItsProblems() throws IOException {
        CommandRun run = check("xmpp:\n  component: {domain: sip.xmpp.test, secret: x, port: 0}\n  domains: [xmpp.test]\n"
                + "sip:\n  listen: {transports: [udp, sctp]}\n");

        assertThat(run.lines()).containsExactly(
                "FAIL xmpp.component.port: '0': out of range; allowed: 1 to 65535",
                "FAIL sip.listen.transports[1]: 'sctp': allowed: udp, tcp, tls",
                dir.resolve("gateway.yaml") + ": 2 problem(s) in the file; fix them, then run check-config again to "
                        + "check the rest");
        assertThat(run.status()).isEqualTo(CheckConfigCommand.EXIT_INVALID);
        assertThat(run.err()).isEmpty();
    }

    @Test
    void missingFileIsStatus2() {
        CommandRun run = CommandRun.isthmus("check-config", "--config", dir.resolve("none.yaml").toString());

        assertThat(run.out()).contains("FAIL (file): no such file; pass --config");
        assertThat(run.status()).isEqualTo(CheckConfigCommand.EXIT_INVALID);
    }

    @Test
    void storeProblemsFail() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        CommandRun embedded = check(component(listening.getLocalPort())
                + "store: {type: embedded, data-dir: " + notADirectory + "}\n");
        assertThat(embedded.out()).contains("FAIL store: data-dir " + notADirectory + " is not a directory");

        CommandRun redis = check(component(listening.getLocalPort())
                + "store: {type: redis, redis-uri: \"redis://127.0.0.1:" + closedPort + "\"}\n");
        assertThat(redis.out()).contains("FAIL store: Redis at 127.0.0.1:" + closedPort + "/0 cannot be reached: ",
                "; fix: start Redis there, or correct store.redis-uri");
        assertThat(redis.status()).isEqualTo(CheckConfigCommand.EXIT_FAILED);

        CommandRun cluster = check(component(listening.getLocalPort()) + "store: {type: redis-cluster, redis-uris: "
                + "[\"redis://127.0.0.1:" + closedPort + "\"]}\n");
        assertThat(cluster.out()).contains("FAIL store: no seed of the Redis Cluster can be reached: Redis at 127.0.0.1:"
                + closedPort + "/0 cannot be reached: ");
        assertThat(cluster.status()).isEqualTo(CheckConfigCommand.EXIT_FAILED);

        CommandRun none = check(component(listening.getLocalPort()));
        assertThat(none.out()).contains("WARN store: none configured: registrations and presence subscriptions live in "
                + "memory and are lost on restart");
        assertThat(none.status()).isEqualTo(CheckConfigCommand.EXIT_WARNINGS);
    }

    @Test
    void srvRecordsAreLookedUpForFederation() throws Exception {
        try (LoopbackDns dns = new LoopbackDns(Map.of(
                "_xmpp-server._tcp.sip.example", List.of(new SipDns.Srv(0, 5, 5269, "gw.sip.example.")),
                "_xmpp-server._tcp.closed.example", List.of(new SipDns.Srv(0, 0, 0, ".")),
                "_sip._udp.xmpp.test", List.of(new SipDns.Srv(10, 5, 5070, "gw.xmpp.test."))))) {
            CommandRun run = check(component(listening.getLocalPort())
                    + "  s2s: {dialback-secret: 0123456789abcdef0123, require-tls: false}\n"
                    + "sip:\n  federated-domains: [sip.example, closed.example]\n"
                    + "  dns: {servers: [\"" + dns.address() + "\"], timeout: 2s}\n" + store());

            assertThat(run.lines()).contains(
                    "OK   dns _xmpp-server._tcp.sip.example: 0 5 5269 gw.sip.example.",
                    "FAIL dns _xmpp-server._tcp.closed.example: the record says the service is not offered (target \".\", "
                            + "RFC 2782), so XMPP servers cannot reach Isthmus; fix: publish '_xmpp-server._tcp.closed.example. "
                            + "3600 IN SRV 0 5 5269 <the gateway's host name>.'",
                    "WARN dns _sip._udp.xmpp.test: 10 5 5070 gw.xmpp.test.: no record has port 5060, where Isthmus listens; "
                            + "fix: correct the record's port (ignore this when a port forward maps one to the other)",
                    "WARN dns _sip._tcp.xmpp.test: no SRV record; RFC 3263 §4.2: SIP peers fall back to xmpp.test's "
                            + "A/AAAA records on port 5060, unless a proxy routes the domain to Isthmus; fix: publish "
                            + "'_sip._tcp.xmpp.test. 3600 IN SRV 0 5 5060 <the gateway's host name>.'");
            assertThat(run.status()).isEqualTo(CheckConfigCommand.EXIT_FAILED);
        }
    }

    @Test
    void dnsIsLeftAloneWhenFederationDoesNotUseIt() throws IOException {
        CommandRun run = check(component(listening.getLocalPort())
                + "  s2s: {dialback-secret: 0123456789abcdef0123, require-tls: false, dns: false}\n"
                + "sip:\n  federated-domains: [sip.example]\n" + store());

        assertThat(run.lines()).contains("SKIP dns: SRV records not checked: xmpp.s2s.dns is false");
        assertThat(run.status()).isEqualTo(CheckConfigCommand.EXIT_OK);
    }

    /** A component link (to the listening socket) and federation for sip.example with these s2s TLS files. */
    private String s2s(Path chain, Path key, String moreSip) {
        return component(listening.getLocalPort())
                + "  s2s:\n    tls: {chain: " + chain + ", key: " + key + "}\n"
                + "    dialback-secret: 0123456789abcdef0123\n"
                + "sip:\n  federated-domains: [sip.example]\n" + moreSip;
    }

    private static String notAfter(Path chain) throws IOException {
        return DAY.format(TlsContexts.readCertificates(chain).get(0).getNotAfter().toInstant());
    }
}
