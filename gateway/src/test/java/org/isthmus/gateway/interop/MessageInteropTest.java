package org.isthmus.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
 * The walking skeleton against real peers: Prosody from Debian with Isthmus attached as its XEP-0114
 * component, a slixmpp client logged in as alice@xmpp.test, and SIPp as the SIP user agent. A message
 * crosses each way with a non-ASCII body, and an undeliverable message each way reports its error to
 * the sender.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MessageInteropTest {

    private static final String TEXT = "Grüße aus SIP, 日本語, emoji 😀 & <xml>";
    private static final Duration WAIT = Duration.ofSeconds(15);

    private ProsodyServer prosody;
    private Gateway gateway;
    private int sipPort;
    private XmppClientProcess alice;

    @BeforeAll
    void start() {
        Peers.assumeInstalled("prosody", "sipp");
        Peers.assumePythonModule("slixmpp");
        prosody = ProsodyServer.start();
        sipPort = Peers.freePort();
        gateway = ProsodyGateway.start(prosody, sipPort, ", ping-interval: 300ms",
                "  registrar: {domains: [sip.test]}\n", WAIT);
        alice = prosody.login("alice");
    }

    @AfterAll
    void stop() {
        if (alice != null) {
            alice.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (prosody != null) {
            prosody.close();
        }
    }

    private void awaitXmppLink(boolean up) {
        ProsodyGateway.awaitLink(gateway, prosody, up, WAIT);
    }


    private Sipp.Result sendFromSip(String from, String to, String body) {
        return Sipp.scenario("uac_message.xml")
                .withRemote(sipPort)
                .withKey("from_uri", from)
                .withKey("to_uri", to)
                .withInjection(body)
                .run();
    }

    private void register(String aor, Sipp.Running phone) {
        Sipp.Result registered = Sipp.scenario("uac_register.xml")
                .withRemote(sipPort)
                .withKey("aor", aor)
                .withKey("registrar", "sip:sip.test")
                .withKey("contact", phone.contact(aor.substring(4, aor.indexOf('@'))))
                .withKey("expires", "300")
                .run();
        assertThat(registered.succeeded()).as(registered.diagnostics()).isTrue();
        assertThat(registered.finalStatus()).hasValue(200);
    }

    @Test
    void sipMessageReachesTheProsodyUserIntact() {
        Sipp.Result sent = sendFromSip("sip:bob@sip.test", "sip:alice@xmpp.test", TEXT);

        JsonNode message = alice.nextMessage(WAIT);
        assertThat(message.path("from").asText()).isEqualTo("bob\\40sip.test@sip.xmpp.test");
        assertThat(message.path("type").asText()).isEqualTo("normal");
        // SIPp ends every body with CRLF, which reaches XMPP as XML's line break, LF (XML 1.0 §2.11).
        assertThat(message.path("body").asText()).isEqualTo(TEXT + "\n");
        assertThat(sent.succeeded()).as(sent.diagnostics()).isTrue();
        assertThat(sent.finalStatus()).hasValue(202);
    }

    @Test
    void prosodyUserMessageReachesTheRegisteredSipPhoneIntact() {
        try (Sipp.Running phone = Sipp.scenario("uas_message.xml").start()) {
            register("sip:bob@sip.test", phone);
            String id = alice.send("bob\\40sip.test@sip.xmpp.test", TEXT);

            Sipp.Result received = phone.await(WAIT);
            assertThat(received.succeeded()).as(received.diagnostics()).isTrue();
            Sipp.TracedMessage message = received.receivedRequest("MESSAGE").orElseThrow();
            assertThat(message.header("From")).hasValueSatisfying(from ->
                    assertThat(from).startsWith("<sip:alice@xmpp.test;gr="));
            assertThat(message.header("To")).hasValueSatisfying(to -> assertThat(to).contains("sip:bob@sip.test"));
            assertThat(message.header("Content-Type")).hasValue("text/plain;charset=UTF-8");
            assertThat(message.body()).isEqualTo(TEXT);
            // Delivered (200 OK): no error comes back to alice for this message.
            alice.pollMessage(Duration.ofSeconds(1)).ifPresent(m ->
                    assertThat(m.path("id").asText()).as("unexpected reply %s", m).isNotEqualTo(id));
        }
    }

    @Test
    void sipMessageToAnUnknownProsodyUserGetsTheMappedErrorStatus() {
        Sipp.Result sent = sendFromSip("sip:bob@sip.test", "sip:nobody@xmpp.test", "is anyone there?");

        assertThat(sent.succeeded()).as(sent.diagnostics()).isTrue();
        // Prosody answers service-unavailable for a user it does not have (RFC 6121 §8.5.2.2.1);
        // RFC 7247 §7.1 note (5) makes that 403.
        assertThat(sent.finalStatus()).hasValue(403);
    }

    @Test
    void prosodyUserMessageToAnUnreachableSipUserComesBackAsAnError() {
        String id = alice.send("carol\\40sip.test@sip.xmpp.test", "hello carol");

        JsonNode error = alice.nextMessage(WAIT);
        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.path("id").asText()).isEqualTo(id);
        assertThat(error.path("from").asText()).isEqualTo("carol\\40sip.test@sip.xmpp.test");
        assertThat(error.path("error").path("condition").asText()).isEqualTo("recipient-unavailable");
    }

    @Test
    void prosodyUserMessageRefusedByTheSipPhoneComesBackWithTheRfc7247Condition() {
        try (Sipp.Running phone = Sipp.scenario("uas_message.xml").withVariable("status", "404").start()) {
            register("sip:dave@sip.test", phone);
            String id = alice.send("dave\\40sip.test@sip.xmpp.test", "are you there?");

            assertThat(phone.await(WAIT).succeeded()).isTrue();
            JsonNode error = alice.nextMessage(WAIT);
            assertThat(error.path("id").asText()).isEqualTo(id);
            assertThat(error.path("error").path("condition").asText()).isEqualTo("item-not-found");
        }
    }

    /**
     * XEP-0199 with a 300 ms ping interval: Prosody routes the gateway's ping to its own component domain
     * back to it, so an idle link never looks dead and is never dropped.
     */
    @Test
    void anIdleLinkStaysUpBecauseProsodyRoutesThePingsBack() {
        long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < end) {
            assertThat(gateway.isXmppUp()).as("link up while idle; Prosody log:%n%s", prosody.diagnostics()).isTrue();
            Peers.sleep(Duration.ofMillis(50));
        }
    }

    @Test
    void theGatewayReattachesAfterProsodyRestartsAndMessagesFlowAgain() {
        prosody.restart();
        awaitXmppLink(true);
        alice.close();
        alice = prosody.login("alice");

        Sipp.Result sent = sendFromSip("sip:bob@sip.test", "sip:alice@xmpp.test", "after the restart");
        assertThat(alice.nextMessage(WAIT).path("body").asText()).isEqualTo("after the restart\n");
        assertThat(sent.finalStatus()).hasValue(202);
    }
}
