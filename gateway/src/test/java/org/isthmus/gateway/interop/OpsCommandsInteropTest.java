package org.isthmus.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import org.isthmus.gateway.cli.IsthmusCommand;
import org.isthmus.gateway.store.RedisServer;

/**
 * The operator's commands against a running Isthmus, as docker-compose.yml wires it, on loopback:
 * Prosody (conf/interop/prosody.cfg.lua.template) with Isthmus as its component, Kamailio
 * (conf/interop/kamailio.cfg.template) as the proxy of sip.test in front of Isthmus, Redis as the
 * store, and Isthmus itself running {@code isthmus run --config conf/docker/gateway.yaml}, the very
 * file compose mounts, its {@code ${...}} filled from the environment with loopback ports. Every
 * command runs as an operator runs it: {@code isthmus ...} in a process of its own, with the same
 * file and environment. SIPp is the phone registered with Kamailio; slixmpp is alice on Prosody.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OpsCommandsInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration COMMAND = Duration.ofSeconds(90);
    private static final String TOKEN = "ops-interop-token-0123456789abcdef";

    private ProsodyServer prosody;
    private KamailioServer kamailio;
    private RedisServer redis;
    private Process gateway;
    private Path directory;
    private Path config;
    private Map<String, String> environment;
    private XmppClientProcess alice;

    @BeforeAll
    void start() throws Exception {
        Peers.assumeInstalled("prosody", "prosodyctl", "kamailio", "sipp", "redis-server");
        Peers.assumePythonModule("slixmpp");
        directory = Peers.workDirectory("ops-commands");
        config = Peers.projectFile("conf/docker/gateway.yaml");
        prosody = ProsodyServer.start();
        redis = RedisServer.start(true);
        int sipPort = Peers.freePort();
        kamailio = KamailioServer.start(sipPort);
        int adminPort = Peers.freePort();
        environment = new HashMap<>(Map.of(
                "PROSODY_HOST", Peers.LOOPBACK,
                "PROSODY_COMPONENT_PORT", Integer.toString(prosody.componentPort()),
                "ISTHMUS_COMPONENT_SECRET", prosody.componentSecret(),
                "ISTHMUS_SIP_ADDRESS", Peers.LOOPBACK,
                "ISTHMUS_SIP_PORT", Integer.toString(sipPort),
                "ISTHMUS_SIP_HOST", Peers.LOOPBACK,
                "KAMAILIO_HOST", Peers.LOOPBACK,
                "KAMAILIO_PORT", Integer.toString(kamailio.port()),
                "ISTHMUS_REDIS_URI", redis.uri(),
                "ISTHMUS_ADMIN_ADDRESS", Peers.LOOPBACK));
        environment.put("ISTHMUS_ADMIN_PORT", Integer.toString(adminPort));
        environment.put("ISTHMUS_ADMIN_TOKEN", TOKEN);
        ProcessBuilder run = new ProcessBuilder(java("run", "--config", config.toString()))
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("isthmus.log").toFile());
        run.environment().putAll(environment);
        gateway = run.start();
        gateway.getOutputStream().close();
        awaitHealthy(adminPort);
        alice = prosody.login("alice");
    }

    @AfterAll
    void stop() {
        if (alice != null) {
            alice.close();
        }
        if (gateway != null) {
            Peers.stop(gateway, Duration.ofSeconds(15));
        }
        for (AutoCloseable peer : new AutoCloseable[] {kamailio, redis, prosody}) {
            try {
                if (peer != null) {
                    peer.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException("closing " + peer, e);
            }
        }
    }

    /** GET /health until 200 (both edges up), at most a minute: the JVM starts under a busy machine too. */
    private void awaitHealthy(int adminPort) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/health"))
                .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int status = 0;
        while (System.nanoTime() < deadline && gateway.isAlive()) {
            try {
                status = http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode();
                if (status == 200) {
                    return;
                }
            } catch (IOException e) {
                status = -1;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the gateway did not become healthy (last status " + status + ", alive "
                + gateway.isAlive() + ")\n" + Peers.tail(directory.resolve("isthmus.log"), 60) + "\n"
                + prosody.diagnostics());
    }

    private List<String> java(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), IsthmusCommand.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** {@code isthmus ARGS} in a process of its own, with the gateway's environment. */
    private Peers.CommandResult isthmus(String... args) {
        return Peers.run(COMMAND, directory, environment, java(args).toArray(String[]::new));
    }

    private Peers.CommandResult testIm(String from, String to, String body) {
        return isthmus("test-im", "--config", config.toString(), "--from", from, "--to", to, "--body", body);
    }

    private void registerWithKamailio(String user, Sipp.Running phone) {
        Sipp.Result registered = Sipp.scenario("uac_register.xml")
                .withRemote(kamailio.port())
                .withKey("aor", "sip:" + user + "@" + KamailioServer.SIP_DOMAIN)
                .withKey("registrar", "sip:" + KamailioServer.SIP_DOMAIN)
                .withKey("contact", phone.contact(user))
                .withKey("expires", "300")
                .run();
        assertThat(registered.succeeded()).as("%s%n%s", registered.diagnostics(), kamailio.diagnostics()).isTrue();
        assertThat(registered.finalStatus()).hasValue(200);
    }

    // ---- test-im ----------------------------------------------------------------------------------

    @Test
    void testImFromAProsodyUserReachesThePhoneRegisteredWithKamailio() {
        try (Sipp.Running phone = Sipp.scenario("uas_message.xml").start()) {
            registerWithKamailio("bob", phone);

            Peers.CommandResult run = testIm("alice@xmpp.test", "sip:bob@sip.test", "test-im to bob");

            assertThat(run.exitCode()).as(run.output()).isZero();
            assertThat(run.output())
                    .contains("test-im alice@xmpp.test -> sip:bob@sip.test (xmpp-to-sip)")
                    .contains("OK   address mapping: from alice@xmpp.test -> sip:alice@xmpp.test")
                    .contains("OK   route: sip:bob@sip.test through the configured next hop 127.0.0.1:" + kamailio.port()
                            + " over UDP")
                    .contains("OK   sent: MESSAGE to sip:bob@sip.test on the SIP edge")
                    .contains("OK   answer: 200 ")
                    .contains("result: delivered");
            Sipp.Result received = phone.await(WAIT);
            assertThat(received.succeeded()).as(received.diagnostics()).isTrue();
            assertThat(received.receivedRequest("MESSAGE").orElseThrow().body()).isEqualTo("test-im to bob");
        }
    }

    @Test
    void testImFromASipUserReachesTheProsodyUserUnderTheAddressTranslateShows() {
        Peers.CommandResult run = testIm("sip:bob@sip.test", "alice@xmpp.test", "test-im to alice");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("(sip-to-xmpp)")
                .contains("OK   link: XEP-0114 component link sip.xmpp.test to 127.0.0.1:" + prosody.componentPort()
                        + " is up")
                .contains("OK   answer: no XMPP error within the error window")
                .contains("result: accepted");
        JsonNode message = alice.nextMessage(WAIT);
        assertThat(message.path("body").asText()).isEqualTo("test-im to alice");
        String from = message.path("from").asText();

        // translate, under the same file and environment, names the address alice saw.
        Peers.CommandResult translate = isthmus("translate", "--config", config.toString(), "sip:bob@sip.test");
        assertThat(translate.exitCode()).as(translate.output()).isZero();
        assertThat(translate.output()).contains("  SIP -> XMPP: " + from);
        assertThat(from).isEqualTo("bob\\40sip.test@sip.xmpp.test");
        Peers.CommandResult back = isthmus("translate", "--config", config.toString(), from);
        assertThat(back.exitCode()).as(back.output()).isZero();
        assertThat(back.output()).contains("XMPP -> SIP: sip:bob@sip.test");
    }

    @Test
    void testImToUnknownUsersSaysWhichHopRefusedAndWithWhat() {
        // Kamailio has no registration for nobody@sip.test: its 404 is the answer.
        Peers.CommandResult toSip = testIm("alice@xmpp.test", "sip:nobody@sip.test", "anyone?");
        assertThat(toSip.exitCode()).as(toSip.output()).isEqualTo(1);
        assertThat(toSip.output()).contains("OK   sent: MESSAGE to sip:nobody@sip.test on the SIP edge")
                .contains("FAIL answer: 404 ")
                .contains("an XMPP sender gets item-not-found")
                .contains("result: rejected (stopped at: answer)");

        // Prosody has no user nobody@xmpp.test: its service-unavailable is the answer (RFC 6121 §8.5.2.2.1).
        Peers.CommandResult toXmpp = testIm("sip:bob@sip.test", "nobody@xmpp.test", "anyone?");
        assertThat(toXmpp.exitCode()).as(toXmpp.output()).isEqualTo(1);
        assertThat(toXmpp.output()).contains("OK   sent: message id=")
                .contains("FAIL answer: XMPP error service-unavailable (cancel)")
                .contains("the SIP sender gets 403")
                .contains("result: rejected (stopped at: answer)");
    }

    // ---- check-config -----------------------------------------------------------------------------

    @Test
    void checkConfigFindsTheRunningPeersOfTheComposeConfiguration() {
        Peers.CommandResult run = isthmus("check-config", "--config", config.toString());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("OK   config: " + config + " is valid")
                .contains("OK   component sip.xmpp.test: 127.0.0.1:" + prosody.componentPort() + " accepts TCP connections")
                .contains("SKIP sip route sip.test: 127.0.0.1:" + kamailio.port() + " over UDP cannot be checked")
                .contains("0 failure(s)");
    }

    @Test
    void checkConfigSaysWhatIsWrongWithACertificateForAnotherNameAndAnXmppServerThatIsNotThere() throws IOException {
        Path tls = directory.resolve("wrong-name");
        Peers.CommandResult generated = isthmus("certs", "generate", "-d", "wrong.test", "-o", tls.toString());
        assertThat(generated.exitCode()).as(generated.output()).isZero();
        int closed = Peers.freePort();
        Path broken = directory.resolve("broken.yaml");
        Files.writeString(broken, """
                xmpp:
                  component: {host: 127.0.0.1, port: %d, domain: sip.xmpp.test, secret: s3cret}
                  domains: [xmpp.test]
                sip:
                  listen:
                    address: 127.0.0.1
                    port: %d
                    transports: [udp, tcp, tls]
                    tls: {port: %d, key: %s, chain: %s}
                """.formatted(closed, Peers.freePort(), Peers.freePort(), tls.resolve("wrong.test.key"),
                tls.resolve("wrong.test.pem")), StandardCharsets.UTF_8);

        Peers.CommandResult run = isthmus("check-config", "--config", broken.toString(), "--timeout", "2");

        assertThat(run.exitCode()).as(run.output()).isEqualTo(3);
        assertThat(run.output().lines().filter(l -> l.startsWith("FAIL")).toList())
                .anySatisfy(l -> assertThat(l).startsWith("FAIL sip.listen.tls").contains("xmpp.test")
                        .contains("; fix: "))
                .anySatisfy(l -> assertThat(l).startsWith("FAIL component sip.xmpp.test: 127.0.0.1:" + closed
                        + " refused the connection").contains("; fix: start the XMPP server"));
    }

    // ---- certs generate ---------------------------------------------------------------------------

    @Test
    void certsGenerateWritesPemThatProsodysOwnCertificateCheckAccepts() throws IOException {
        Path out = directory.resolve("certs-for-prosody");
        Peers.CommandResult generated = isthmus("certs", "generate", "-d", "xmpp.test", "-d", "sip.xmpp.test", "--xmpp",
                "-o", out.toString());
        assertThat(generated.exitCode()).as(generated.output()).isZero();

        // Prosody finds DOMAIN.crt and DOMAIN.key in its certs directory (https://prosody.im/doc/certificates).
        Path certs = prosody.directory().resolve("certs");
        Files.copy(out.resolve("xmpp.test.pem"), certs.resolve("xmpp.test.crt"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(out.resolve("xmpp.test.key"), certs.resolve("xmpp.test.key"), StandardCopyOption.REPLACE_EXISTING);
        Peers.CommandResult accepted = prosodyctl("check", "certs");
        assertThat(accepted.output()).contains("Checking certificate for xmpp.test")
                .contains("Checking certificate for sip.xmpp.test")
                .doesNotContain("Not valid").doesNotContain("expires");
        assertThat(accepted.exitCode()).as(accepted.output()).isZero();

        // The same check refuses a certificate for another name, so its verdict above means something.
        Path other = directory.resolve("certs-for-another-name");
        assertThat(isthmus("certs", "generate", "-d", "other.test", "-o", other.toString()).exitCode()).isZero();
        Files.copy(other.resolve("other.test.pem"), certs.resolve("xmpp.test.crt"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(other.resolve("other.test.key"), certs.resolve("xmpp.test.key"), StandardCopyOption.REPLACE_EXISTING);
        Peers.CommandResult refused = prosodyctl("check", "certs");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.output()).contains("Not valid for client connections to xmpp.test");
    }

    private Peers.CommandResult prosodyctl(String... args) {
        List<String> command = new ArrayList<>(List.of(Peers.executable("prosodyctl"), "--config",
                prosody.directory().resolve("prosody.cfg.lua").toString()));
        command.addAll(List.of(args));
        return Peers.run(COMMAND, prosody.directory(), command.toArray(String[]::new));
    }
}
