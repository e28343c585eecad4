package org.isthmus.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import org.isthmus.gateway.Gateway;

/**
 * Pager-mode MESSAGE (RFC 3428) between a real softphone and a real XMPP client: baresip from
 * Debian, registered as dave@sip.test with Kamailio (the proxy of sip.test, in front of Isthmus),
 * and alice@xmpp.test on Prosody through slixmpp. Unlike SIPp, baresip builds its own requests and
 * answers: no charset parameter on its text/plain, its own tags, Contact user and Route handling.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BaresipMessageInteropTest {

    private static final String TEXT = "Grüße von baresip, 日本語, emoji 😀 & <xml>";
    private static final Duration WAIT = Duration.ofSeconds(15);

    private ProsodyServer prosody;
    private KamailioServer kamailio;
    private Gateway gateway;
    private XmppClientProcess alice;
    private Baresip dave;

    @BeforeAll
    void start() {
        Peers.assumeInstalled("prosody", "kamailio", "baresip");
        Peers.assumePythonModule("slixmpp");
        prosody = ProsodyServer.start();
        int isthmusPort = Peers.freePort();
        kamailio = KamailioServer.start(isthmusPort);
        gateway = ProsodyGateway.start(prosody, isthmusPort, "", kamailio.isthmusRoute(), WAIT);
        alice = prosody.login("alice");
        dave = Baresip.start(kamailio.aor("dave"), kamailio.port(), List.of("sip:alice@" + prosody.domain()));
        dave.awaitRegistered(WAIT);
    }

    @AfterAll
    void stop() {
        // baresip first: it unregisters from Kamailio as it quits.
        if (dave != null) {
            dave.close();
        }
        if (alice != null) {
            alice.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (kamailio != null) {
            kamailio.close();
        }
        if (prosody != null) {
            prosody.close();
        }
    }

    @Test
    void baresipMessageReachesTheProsodyUserIntact() {
        dave.message(TEXT);

        JsonNode message = alice.nextMessage(WAIT);
        assertThat(message.path("from").asText()).isEqualTo("dave\\40sip.test@sip.xmpp.test");
        // baresip sends the text as it is, with no line end added, and without a charset
        // parameter, which RFC 3261 §7.4.1 makes UTF-8.
        assertThat(message.path("body").asText()).as("%s%n%s", message, dave.diagnostics()).isEqualTo(TEXT);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (dave.receivedSipMessage("SIP/2.0 202").isEmpty() && System.nanoTime() < deadline) {
            Peers.sleep(Duration.ofMillis(50));
        }
        assertThat(dave.receivedSipMessage("SIP/2.0 202")).as("202 Accepted back at baresip%n%s%n%s",
                dave.diagnostics(), kamailio.diagnostics()).isPresent();
    }

    @Test
    void prosodyUserMessageReachesBaresipIntact() {
        String id = alice.send("dave\\40sip.test@sip.xmpp.test", TEXT);

        Baresip.ReceivedMessage message = dave.nextMessage(WAIT);
        assertThat(message.from()).startsWith("sip:alice@xmpp.test;gr=");
        assertThat(message.body()).isEqualTo(TEXT);
        assertThat(dave.receivedSipMessage("MESSAGE ")).hasValueSatisfying(request ->
                assertThat(request).contains("Content-Type: text/plain;charset=UTF-8"));
        // baresip answered 200 OK through Kamailio: no error comes back to alice for this message.
        alice.pollMessage(Duration.ofSeconds(1)).ifPresent(m ->
                assertThat(m.path("id").asText()).as("unexpected reply %s", m).isNotEqualTo(id));
    }
}
