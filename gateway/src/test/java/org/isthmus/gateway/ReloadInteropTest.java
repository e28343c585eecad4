package org.isthmus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.isthmus.gateway.e2e.SmimeObjects;
import org.isthmus.gateway.e2e.SmimeObjects.Keys;
import org.isthmus.gateway.e2e.SmimeObjects.Party;
import org.isthmus.gateway.interop.Peers;
import org.isthmus.gateway.interop.ProsodyServer;
import org.isthmus.gateway.interop.Sipp;
import org.isthmus.gateway.interop.XmppClientProcess;

/**
 * Issue 9's reload without restart: {@code isthmus run} in a process of its own, Prosody behind it as
 * the XMPP server, SIPp as the SIP partner at 127.0.0.1. The partner's entry in the file is edited and
 * the process gets SIGHUP: a partner that becomes refused gets 403 (RFC 3261 §21.4.4) from then on,
 * and 202 again once allowed; a file that is not valid is refused with its problems logged and the
 * running policy stays; a change only a restart applies (the SIP port) is logged as such. The
 * {@code e2e} section reloads too: RFC 3923 signed objects from SIPp meet {@code verify: pass}, then
 * {@code reject}, then another trust store, each applied by SIGHUP.
 */
@Tag("interop")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReloadInteropTest {

    /** Generous: the child JVM starts slowly on a busy machine. */
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private ProsodyServer prosody;
    private XmppClientProcess alice;
    private GatewayProcess gateway;
    private Path config;
    private Path log;
    private int sipPort;

    @BeforeEach
    void start() throws IOException, InterruptedException {
        Peers.assumeInstalled("prosody", "sipp");
        Peers.assumePythonModule("slixmpp");
        prosody = ProsodyServer.start(Map.of("alice", "alice-pw"));
        alice = prosody.login("alice");
        sipPort = Peers.freePort();
        config = dir.resolve("gateway.yaml");
        log = dir.resolve("gateway.log");
        write(sipPort, "allowed: true");
        gateway = GatewayProcess.start(config, log);
        awaitLog("xmpp link " + prosody.componentDomain() + " up", 1);
    }

    @AfterEach
    void stop() throws Exception {
        EndToEnd.closeAll(gateway, alice, prosody);
    }

    private void write(int port, String partner) throws IOException {
        write(port, partner, "");
    }

    /** The file, with {@code sections} (top-level YAML lines) at its end. */
    private void write(int port, String partner, String sections) throws IOException {
        Files.writeString(config, """
                xmpp:
                  component: {host: 127.0.0.1, port: %d, domain: %s, secret: %s,
                              reconnect: {initial: 200ms, max: 2s}}
                  domains: [%s]
                sip:
                  listen: {address: 127.0.0.1, port: %d}
                partners:
                  - {sip: phone.test, addresses: [127.0.0.1], %s}
                %s""".formatted(prosody.componentPort(), prosody.componentDomain(), prosody.componentSecret(),
                prosody.domain(), port, partner, sections), StandardCharsets.UTF_8);
    }

    private int message() {
        Sipp.Result sent = Sipp.scenario("uac_message.xml").withRemote(sipPort)
                .withKey("from_uri", "sip:bob@phone.test").withKey("to_uri", "sip:alice@" + prosody.domain())
                .withInjection("reload test").run();
        assertThat(sent.succeeded()).as(sent.diagnostics()).isTrue();
        return sent.finalStatus().orElseThrow();
    }

    /** Waits until {@code text} occurs {@code times} times in the gateway's log. */
    private String awaitLog(String text, int times) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            String content = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            if (content.split(java.util.regex.Pattern.quote(text), -1).length - 1 >= times) {
                return content;
            }
            assertThat(System.nanoTime()).as("'%s' %d times in the gateway log:%n%s", text, times, content)
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void aPartnerBecomesRefusedAndAllowedAgainWithoutARestart() throws Exception {
        assertThat(message()).isEqualTo(202);
        assertThat(alice.nextMessage(WAIT).path("body").asText()).startsWith("reload test");

        write(sipPort, "allowed: false");
        gateway.signal("HUP");
        awaitLog("configuration reloaded: partners", 1);
        assertThat(message()).isEqualTo(403);

        Files.writeString(config, Files.readString(config).replace("allowed: false", "allowed: perhaps"));
        gateway.signal("HUP");
        String refused = awaitLog("configuration reload refused", 1);
        assertThat(refused).contains("partners[0].allowed");
        assertThat(message()).as("the running policy stays").isEqualTo(403);

        int otherPort = Peers.freePort();
        write(otherPort, "allowed: true");
        gateway.signal("HUP");
        String restart = awaitLog("need a restart", 1);
        assertThat(restart).contains("need a restart").contains("sip.listen");
        assertThat(message()).as("the partner is allowed again, on the port still in use").isEqualTo(202);
    }

    /** Bob's phone at phone.test sends alice an RFC 3923 signed object; the final status it got. */
    private int sendSigned(byte[] body) {
        Sipp.Result sent = Sipp.scenario("uac_message_file.xml").withRemote(sipPort)
                .withKey("from_uri", "sip:bob@phone.test").withKey("to_uri", "sip:alice@" + prosody.domain())
                .withKey("content_type", SmimeObjects.signedType())
                .withFile("body.bin", body)
                .run();
        assertThat(sent.finalStatus()).as(sent.diagnostics()).isPresent();
        return sent.finalStatus().getAsInt();
    }

    private void writeE2e(String verify, Path trustStore) throws IOException {
        write(sipPort, "allowed: true", "e2e: {verify: %s, trust-store: '%s'}\n".formatted(verify, trustStore));
    }

    @Test
    void theE2eModeAndTrustStoreChangeWithoutARestartAndABadTrustStoreIsRefused() throws Exception {
        Party ca = SmimeObjects.ca();
        Party otherCa = SmimeObjects.ca();
        Party bob = SmimeObjects.user("sip:bob@phone.test", Keys.EC, ca);
        Path trust = Files.writeString(dir.resolve("trust.pem"), SmimeObjects.pem(ca.certificate()));
        Path otherTrust = Files.writeString(dir.resolve("other.pem"), SmimeObjects.pem(otherCa.certificate()));
        byte[] good = SmimeObjects.signed(SmimeObjects.cpim("sip:bob@phone.test", "im:alice@" + prosody.domain(),
                "signed hello"), bob);
        byte[] tampered = SmimeObjects.flipped(good, "signed hello");

        writeE2e("pass", trust);
        gateway.signal("HUP");
        awaitLog("configuration reloaded: partners", 1);
        assertThat(sendSigned(tampered)).as("verify: pass relays a tampered object").isEqualTo(202);
        assertThat(alice.nextMessage(WAIT).path("e2e").asText()).contains("multipart/signed");

        writeE2e("reject", trust);
        gateway.signal("HUP");
        awaitLog("configuration reloaded: partners", 2);
        assertThat(sendSigned(tampered)).as("verify: reject after SIGHUP").isEqualTo(403);
        assertThat(sendSigned(good)).as("a good signature still passes").isEqualTo(202);
        assertThat(alice.nextMessage(WAIT).path("e2e").asText()).contains("multipart/signed");

        writeE2e("reject", dir.resolve("missing.pem"));
        gateway.signal("HUP");
        assertThat(awaitLog("configuration reload refused", 1)).contains("e2e.trust-store");
        assertThat(sendSigned(tampered)).as("the running checks stay").isEqualTo(403);

        writeE2e("reject", otherTrust);
        gateway.signal("HUP");
        awaitLog("configuration reloaded: partners", 3);
        assertThat(sendSigned(good)).as("bob's CA is no longer trusted: unverifiable").isEqualTo(403);
        assertThat(awaitLog("configuration reloaded: partners", 3)).as("e2e needs no restart")
                .doesNotContain("need a restart");
    }
}
