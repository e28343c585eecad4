package org.isthmus.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sip.message.Request;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.isthmus.gateway.EndToEnd;
import org.isthmus.gateway.Gateway;
import org.isthmus.gateway.config.GatewayConfig;
import org.isthmus.sip.testing.TestUserAgent;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.testing.ComponentServer;

/**
 * {@code isthmus test-im} against a gateway on loopback, over its admin API: a message each way, each
 * hop reported, and the exit status for each way a message can end. The XMPP server and the SIP phone
 * are the project's loopback test peers; the interop tests do the same with Prosody and SIPp.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TestImCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SECRET = "test-im-secret";
    private static final String TOKEN = "test-im-token-0123456789abcdef";

    @TempDir
    Path dir;

    private ComponentServer xmpp;
    private TestUserAgent phone;
    private Gateway gateway;
    private String adminUrl;
    private Path config;

    @BeforeEach
    void peers() {
        xmpp = ComponentServer.start("sip.xmpp.test", SECRET);
        phone = TestUserAgent.start("127.0.0.1");
    }

    @AfterEach
    void stop() {
        EndToEnd.closeAll(gateway, phone, xmpp);
    }

    private void startGateway(String admin) throws Exception {
        int sipPort = TestUserAgent.freePort("127.0.0.1");
        String yaml = """
                xmpp:
                  component: {host: 127.0.0.1, port: %d, domain: sip.xmpp.test, secret: %s,
                              reconnect: {initial: 100ms, max: 300ms}}
                  domains: [xmpp.test]
                sip:
                  listen: {address: 127.0.0.1, port: %d}
                  registrar: {domains: [sip.test]}
                  routes:
                    - {domain: routed.test, host: 127.0.0.1, port: %d, transport: udp}
                messages:
                  error-window: 1s
                admin: %s
                """.formatted(xmpp.port(), SECRET, sipPort, phone.port(), admin);
        config = dir.resolve("gateway.yaml");
        Files.writeString(config, yaml, StandardCharsets.UTF_8);
        gateway = new Gateway(GatewayConfig.load(config));
        gateway.start();
        xmpp.awaitConnected(WAIT);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!gateway.isXmppUp() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(gateway.isXmppUp()).isTrue();
        adminUrl = "http://127.0.0.1:" + gateway.adminAddress().orElseThrow().getPort();
    }

    private void startGateway() throws Exception {
        startGateway("{address: 127.0.0.1, port: 0, token: " + TOKEN + ", test-im: true}");
    }

    private CommandRun testIm(String... more) {
        String[] args = new String[more.length + 5];
        args[0] = "test-im";
        args[1] = "--admin";
        args[2] = adminUrl;
        args[3] = "--token";
        args[4] = TOKEN;
        System.arraycopy(more, 0, args, 5, more.length);
        return CommandRun.isthmus(args);
    }

    @Test
    void anXmppUsersMessageReachesTheRoutedSipPhoneAndEachHopIsReported() throws Exception {
        startGateway();
        phone.answerWith(200, "OK");

        CommandRun run = testIm("--from", "alice@xmpp.test", "--to", "sip:bob@routed.test", "--body", "hello bob");

        assertThat(run.status()).as(run.out() + run.err()).isEqualTo(TestImCommand.EXIT_DELIVERED);
        assertThat(run.lines()).containsSubsequence(
                "test-im alice@xmpp.test -> sip:bob@routed.test (xmpp-to-sip)",
                "result: delivered");
        assertThat(run.out()).contains("OK   address mapping: from alice@xmpp.test -> sip:alice@xmpp.test")
                .contains("OK   route: sip:bob@routed.test through the configured next hop 127.0.0.1:" + phone.port()
                        + " over UDP")
                .contains("OK   answer: 200 OK after ");
        Request message = phone.awaitRequest(WAIT).request();
        assertThat(message.getMethod()).isEqualTo(Request.MESSAGE);
        assertThat(new String(message.getRawContent(), StandardCharsets.UTF_8)).isEqualTo("hello bob");
    }

    @Test
    void aSipRefusalIsTheAnswerHopWithItsStatusAndWhatAnXmppSenderWouldGet() throws Exception {
        startGateway();
        phone.answerWith(404, "Not Found");

        CommandRun run = testIm("--from", "alice@xmpp.test", "--to", "bob\\40routed.test@sip.xmpp.test");

        assertThat(run.status()).as(run.out() + run.err()).isEqualTo(TestImCommand.EXIT_REJECTED);
        assertThat(run.out()).contains("FAIL answer: 404 Not Found after ")
                .contains("an XMPP sender gets item-not-found")
                .contains("result: rejected (stopped at: answer)");
    }

    @Test
    void anUnregisteredSipUserStopsAtTheRoute() throws Exception {
        startGateway();

        CommandRun run = testIm("--from", "alice@xmpp.test", "--to", "sip:carol@sip.test");

        assertThat(run.status()).as(run.out() + run.err()).isEqualTo(TestImCommand.EXIT_STOPPED);
        assertThat(run.out()).contains("FAIL route: recipient-unavailable: sip:carol@sip.test is not registered")
                .contains("result: stopped (stopped at: route)");
        assertThat(phone.nothingReceived(Duration.ofMillis(300))).isTrue();
    }

    @Test
    void aSipUsersMessageGoesOutOnTheComponentLinkAndAnXmppErrorComesBackAsTheAnswer() throws Exception {
        startGateway();

        CompletableFuture<CommandRun> running = CompletableFuture.supplyAsync(() ->
                testIm("--from", "sip:bob@sip.test", "--to", "nobody@xmpp.test"));
        XmlElement stanza = xmpp.takeElement(WAIT);
        assertThat(stanza.name()).isEqualTo("message");
        assertThat(stanza.attribute("from")).hasValue("bob\\40sip.test@sip.xmpp.test");
        xmpp.send("<message type='error' from='nobody@xmpp.test' to='bob\\40sip.test@sip.xmpp.test' id='"
                + stanza.attribute("id").orElseThrow() + "'><error type='cancel'><service-unavailable "
                + "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
        CommandRun run = running.get(30, TimeUnit.SECONDS);

        assertThat(run.status()).as(run.out() + run.err()).isEqualTo(TestImCommand.EXIT_REJECTED);
        assertThat(run.out()).contains("(sip-to-xmpp)")
                .contains("OK   link: XEP-0114 component link sip.xmpp.test to 127.0.0.1:" + xmpp.port() + " is up")
                .contains("FAIL answer: XMPP error service-unavailable (cancel); the SIP sender gets 403");
    }

    @Test
    void withoutAnErrorInTheWindowASipUsersMessageIsAccepted() throws Exception {
        startGateway();

        CommandRun run = testIm("--from", "sip:bob@sip.test", "--to", "xmpp:alice@xmpp.test", "--body", "hi alice");

        assertThat(run.status()).as(run.out() + run.err()).isEqualTo(TestImCommand.EXIT_DELIVERED);
        assertThat(run.out()).contains("OK   answer: no XMPP error within the error window of 1000 ms")
                .contains("result: accepted");
        XmlElement stanza = xmpp.takeElement(WAIT);
        assertThat(stanza.attribute("to")).hasValue("alice@xmpp.test");
        assertThat(stanza.children().stream().filter(c -> c.name().equals("body")).findFirst().orElseThrow().text())
                .isEqualTo("hi alice");
    }

    @Test
    void theAdminApiRefusesUnlessTestImIsOnAndTheTokenIsRight() throws Exception {
        startGateway("{address: 127.0.0.1, port: 0, token: " + TOKEN + "}");

        CommandRun off = testIm("--from", "alice@xmpp.test", "--to", "sip:bob@routed.test");
        assertThat(off.status()).isEqualTo(TestImCommand.EXIT_UNREACHABLE);
        assertThat(off.err()).contains("403").contains("set admin.test-im: true");

        CommandRun wrongToken = CommandRun.isthmus("test-im", "--admin", adminUrl, "--token", "not-the-token-at-all",
                "--from", "alice@xmpp.test", "--to", "sip:bob@routed.test");
        assertThat(wrongToken.status()).isEqualTo(TestImCommand.EXIT_UNREACHABLE);
        assertThat(wrongToken.err()).contains("the token given is not the gateway's");
        assertThat(phone.nothingReceived(Duration.ofMillis(300))).isTrue();
    }

    @Test
    void theAdminApiAndItsTokenComeFromTheConfigurationAndBadAddressesAreRefused() throws Exception {
        startGateway();
        CommandRun anyPort = CommandRun.isthmus("test-im", "--config", config.toString(), "--from", "alice@xmpp.test",
                "--to", "sip:bob@routed.test");
        assertThat(anyPort.status()).isEqualTo(TestImCommand.EXIT_INVALID);
        assertThat(anyPort.err()).contains("admin.port is 0");
        // The file as an operator would have it: the port the gateway listens on.
        Files.writeString(config, Files.readString(config).replace("port: 0,", "port: "
                + gateway.adminAddress().orElseThrow().getPort() + ","));

        CommandRun bad = CommandRun.isthmus("test-im", "--config", config.toString(), "--from", "alice@xmpp.test",
                "--to", "sip:");
        assertThat(bad.status()).as(bad.out() + bad.err()).isEqualTo(TestImCommand.EXIT_INVALID);
        assertThat(bad.err()).contains("to: sip: is not a valid");

        CommandRun stranger = CommandRun.isthmus("test-im", "--config", config.toString(), "--from",
                "mallory@elsewhere.test", "--to", "sip:bob@routed.test");
        assertThat(stranger.status()).isEqualTo(TestImCommand.EXIT_INVALID);
        assertThat(stranger.err()).contains("is not a user of an XMPP domain the gateway serves");
        assertThat(phone.nothingReceived(Duration.ofMillis(300))).isTrue();
    }

    @Test
    void aGatewayThatIsNotRunningIsReportedAsUnreachable() throws Exception {
        int port = TestUserAgent.freePort("127.0.0.1");
        CommandRun run = CommandRun.isthmus("test-im", "--admin", "http://127.0.0.1:" + port, "--from",
                "alice@xmpp.test", "--to", "sip:bob@routed.test");
        assertThat(run.status()).isEqualTo(TestImCommand.EXIT_UNREACHABLE);
        assertThat(run.err()).contains("cannot connect to the admin API");
    }
}
