package org.isthmus.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import org.isthmus.gateway.Gateway;

/**
 * A message too large for UDP crosses from XMPP to a softphone that registered over UDP (issue 5):
 * RFC 3261 §18.1.1 sends a request over 1300 bytes, the path MTU being unknown, over TCP, which §18
 * makes every agent accept. alice@xmpp.test on Prosody (slixmpp) sends 5,000 bytes of UTF-8 to
 * dave@sip.test, a real baresip that listens on UDP and TCP, registered with a UDP contact either
 * with Isthmus's own registrar or with Kamailio in front of Isthmus. baresip's SIP trace names the
 * transport its socket received each message on, so a message sent over UDP, or cut short, fails.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LargeMessageInteropTest {

    /** 5,000 bytes of UTF-8 in fewer characters, numbered pieces so a gap or a cut shows where it is. */
    private static final String TEXT = largeText(5_000);
    private static final Duration WAIT = Duration.ofSeconds(15);

    private ProsodyServer prosody;
    private XmppClientProcess alice;

    @BeforeAll
    void start() {
        Peers.assumeInstalled("prosody", "kamailio", "baresip");
        Peers.assumePythonModule("slixmpp");
        prosody = ProsodyServer.start();
        alice = prosody.login("alice");
    }

    @AfterAll
    void stop() {
        if (alice != null) {
            alice.close();
        }
        if (prosody != null) {
            prosody.close();
        }
    }

    /** Numbered pieces of 1-, 2-, 3- and 4-byte characters, padded with dots to exactly {@code bytes}. */
    private static String largeText(int bytes) {
        StringBuilder text = new StringBuilder();
        for (int i = 1; ; i++) {
            String piece = "%04d Grüße, 日本語, 😀 & <xml>; ".formatted(i);
            if (utf8Length(text) + utf8Length(piece) > bytes) {
                break;
            }
            text.append(piece);
        }
        text.append(".".repeat(bytes - utf8Length(text)));
        return text.toString();
    }

    private static int utf8Length(CharSequence text) {
        return text.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void theTextIsFiveThousandBytesInFewerCharacters() {
        assertThat(utf8Length(TEXT)).isEqualTo(5_000);
        assertThat(TEXT.length()).isLessThan(4_000);
    }

    @Test
    void fiveThousandBytesReachBaresipOverTcpFromIsthmussOwnRegistrar() {
        int sipPort = Peers.freePort();
        try (Gateway gateway = ProsodyGateway.start(prosody, sipPort, "", "  registrar: {domains: [sip.test]}\n", WAIT);
                Baresip dave = Baresip.start("sip:dave@sip.test", sipPort, List.of("sip:alice@" + prosody.domain()))) {
            awaitUdpRegistration(dave);

            String request = deliver(dave);
            // Isthmus sent it itself: its own Via, for TCP (§18.1.1: the top Via names the transport used).
            assertThat(request).containsPattern("\nVia: SIP/2.0/TCP 127.0.0.1:" + sipPort + ";");
        }
    }

    @Test
    void fiveThousandBytesReachBaresipOverTcpThroughKamailio() {
        int isthmusPort = Peers.freePort();
        try (KamailioServer kamailio = KamailioServer.start(isthmusPort);
                Gateway gateway = ProsodyGateway.start(prosody, isthmusPort, "", kamailio.isthmusRoute(), WAIT);
                Baresip dave = Baresip.start(kamailio.aor("dave"), kamailio.port(),
                        List.of("sip:alice@" + prosody.domain()))) {
            awaitUdpRegistration(dave);

            String request = deliver(dave);
            // Both hops went over TCP although both were configured or registered as UDP: Isthmus to
            // Kamailio (its route says udp), then Kamailio to the contact (udp_mtu in kamailio.cfg).
            assertThat(request).as("%s", kamailio.diagnostics())
                    .containsPattern("\nVia: SIP/2.0/TCP 127.0.0.1:" + kamailio.port() + ";")
                    .containsPattern("\nVia: SIP/2.0/TCP 127.0.0.1:" + isthmusPort + ";");
        }
    }

    /** Waits for dave's registration and checks that it bound a UDP contact: over UDP, no transport parameter. */
    private static void awaitUdpRegistration(Baresip dave) {
        dave.awaitRegistered(WAIT);
        Baresip.TracedMessage registered = dave.received("SIP/2.0 200").orElseThrow();
        assertThat(registered.transport()).isEqualTo("UDP");
        assertThat(registered.head()).containsPattern("\r\nContact: <sip:dave-[^;>]*>;expires=")
                .doesNotContain("transport=");
    }

    /**
     * alice sends {@link #TEXT} to dave; expects baresip's stack to have read a MESSAGE with that
     * body, whole, from TCP at its UDP contact's address, and no error back at alice. Returns the
     * MESSAGE's start line and headers. (baresip's UI prints no body this long, see
     * {@link Baresip#nextMessage}; its SIP trace shows each message as its stack framed it.)
     */
    private String deliver(Baresip dave) {
        String id = alice.send("dave\\40sip.test@sip.xmpp.test", TEXT);

        Baresip.TracedMessage message = dave.awaitReceived("MESSAGE ", WAIT);
        assertThat(message.transport()).as("transport of the MESSAGE%n%s", dave.diagnostics()).isEqualTo("TCP");
        assertThat(message.head()).startsWith("MESSAGE sip:dave-")
                .contains("\r\nFrom: <sip:alice@xmpp.test;gr=")
                .contains("\r\nContent-Type: text/plain;charset=UTF-8\r\n")
                .containsPattern("\r\nContent-Length: 5000(\r|$)");
        assertThat(message.body()).as("the body baresip received").isEqualTo(TEXT);
        // baresip answered 200 OK: no error comes back to alice for this message.
        alice.pollMessage(Duration.ofSeconds(1)).ifPresent(m ->
                assertThat(m.path("id").asText()).as("unexpected reply %s", m).isNotEqualTo(id));
        return message.head();
    }
}
