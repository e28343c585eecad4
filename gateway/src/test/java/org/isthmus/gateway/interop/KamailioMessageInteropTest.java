package org.isthmus.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * Pager-mode MESSAGE (RFC 3428) through Kamailio, the deployment DESIGN.md starts from: SIP phones
 * register with Kamailio, the proxy of sip.test, which relays requests for the XMPP domains to
 * Isthmus; Isthmus reaches sip.test users through Kamailio by a static route and is no registrar
 * itself. Prosody from Debian carries alice@xmpp.test (slixmpp), SIPp plays the phones.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KamailioMessageInteropTest {

    private static final String TEXT = "Grüße über Kamailio, 日本語, emoji 😀 & <xml>";
    private static final Duration WAIT = Duration.ofSeconds(15);

    private ProsodyServer prosody;
    private KamailioServer kamailio;
    private Gateway gateway;
    private int isthmusPort;
    private XmppClientProcess alice;

    @BeforeAll
    void start() {
        Peers.assumeInstalled("prosody", "sipp", "kamailio");
        Peers.assumePythonModule("slixmpp");
        prosody = ProsodyServer.start();
        isthmusPort = Peers.freePort();
        kamailio = KamailioServer.start(isthmusPort);
        gateway = ProsodyGateway.start(prosody, isthmusPort, "", kamailio.isthmusRoute(), WAIT);
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
        if (kamailio != null) {
            kamailio.close();
        }
        if (prosody != null) {
            prosody.close();
        }
    }

    /** SIPp sends one MESSAGE to Kamailio, as a phone whose proxy Kamailio is. */
    private Sipp.Result sendThroughKamailio(String from, String to, String body) {
        return Sipp.scenario("uac_message.xml")
                .withRemote(kamailio.port())
                .withKey("from_uri", from)
                .withKey("to_uri", to)
                .withInjection(body)
                .run();
    }

    /** Registers the SIPp phone as aor with Kamailio (REGISTER sip:sip.test, 200 OK). */
    private void registerWithKamailio(String aor, Sipp.Running phone) {
        Sipp.Result registered = Sipp.scenario("uac_register.xml")
                .withRemote(kamailio.port())
                .withKey("aor", aor)
                .withKey("registrar", "sip:" + KamailioServer.SIP_DOMAIN)
                .withKey("contact", phone.contact(aor.substring(4, aor.indexOf('@'))))
                .withKey("expires", "300")
                .run();
        assertThat(registered.succeeded()).as("%s%n%s", registered.diagnostics(), kamailio.diagnostics()).isTrue();
        assertThat(registered.finalStatus()).hasValue(200);
    }

    /** Kamailio's log, whole: it has one line per request and reply it handled. */
    private String kamailioLog() {
        try {
            return Files.readString(kamailio.logFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String callId(Sipp.Result result) {
        return result.sent().get(0).header("Call-ID").orElseThrow();
    }

    @Test
    void phoneMessageReachesTheProsodyUserThroughKamailioAndTheAcceptanceComesBack() {
        // Kamailio relays without authenticating the sender; bob need not be registered to send.
        Sipp.Result sent = sendThroughKamailio("sip:bob@sip.test", "sip:alice@xmpp.test", TEXT);

        JsonNode message = alice.nextMessage(WAIT);
        assertThat(message.path("from").asText()).isEqualTo("bob\\40sip.test@sip.xmpp.test");
        // SIPp ends every body with CRLF, which reaches XMPP as XML's line break, LF (XML 1.0 §2.11).
        assertThat(message.path("body").asText()).isEqualTo(TEXT + "\n");
        assertThat(sent.succeeded()).as("%s%n%s", sent.diagnostics(), kamailio.diagnostics()).isTrue();
        assertThat(sent.finalStatus()).hasValue(202);
        // The 202 came from Isthmus to Kamailio, which passed it on to the phone.
        assertThat(kamailioLog()).contains("reply 202 Accepted for MESSAGE from 127.0.0.1:" + isthmusPort
                + " (Call-ID " + callId(sent) + ")");
    }

    @Test
    void prosodyUserMessageReachesThePhoneRegisteredWithKamailio() {
        try (Sipp.Running phone = Sipp.scenario("uas_message.xml").start()) {
            registerWithKamailio("sip:bob@sip.test", phone);
            String id = alice.send("bob\\40sip.test@sip.xmpp.test", TEXT);

            Sipp.Result received = phone.await(WAIT);
            assertThat(received.succeeded()).as("%s%n%s", received.diagnostics(), kamailio.diagnostics()).isTrue();
            Sipp.TracedMessage message = received.receivedRequest("MESSAGE").orElseThrow();
            // Kamailio's location lookup turned the address of record into the registered contact.
            assertThat(message.startLine()).isEqualTo("MESSAGE " + phone.contact("bob") + " SIP/2.0");
            assertThat(message.header("Via")).hasValueSatisfying(via ->
                    assertThat(via).contains("127.0.0.1:" + kamailio.port()));
            assertThat(message.header("From")).hasValueSatisfying(from ->
                    assertThat(from).startsWith("<sip:alice@xmpp.test;gr="));
            assertThat(message.header("To")).hasValueSatisfying(to -> assertThat(to).contains("sip:bob@sip.test"));
            assertThat(message.header("Content-Type")).hasValue("text/plain;charset=UTF-8");
            assertThat(message.body()).isEqualTo(TEXT);
            // Delivered (200 OK through Kamailio): no error comes back to alice for this message.
            alice.pollMessage(Duration.ofSeconds(1)).ifPresent(m ->
                    assertThat(m.path("id").asText()).as("unexpected reply %s", m).isNotEqualTo(id));
        }
    }

    @Test
    void prosodyUserMessageToAUserKamailioDoesNotKnowComesBackAsItemNotFound() {
        String id = alice.send("carol\\40sip.test@sip.xmpp.test", "hello carol");

        JsonNode error = alice.nextMessage(WAIT);
        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.path("id").asText()).isEqualTo(id);
        assertThat(error.path("from").asText()).isEqualTo("carol\\40sip.test@sip.xmpp.test");
        // Kamailio answers 404 for a user with no registered contact; RFC 7247 §7.2 maps it.
        assertThat(error.path("error").path("condition").asText())
                .as("%s%n%s", error, kamailio.diagnostics()).isEqualTo("item-not-found");
        assertThat(kamailioLog()).contains("sip:carol@sip.test is not registered");
    }

    @Test
    void phoneMessageToAnUnknownProsodyUserGetsTheMappedStatusThroughKamailio() {
        Sipp.Result sent = sendThroughKamailio("sip:bob@sip.test", "sip:nobody@xmpp.test", "is anyone there?");

        assertThat(sent.succeeded()).as("%s%n%s", sent.diagnostics(), kamailio.diagnostics()).isTrue();
        // Prosody: service-unavailable (RFC 6121 §8.5.2.2.1); RFC 7247 §7.1 note (5): 403.
        assertThat(sent.finalStatus()).hasValue(403);
    }
}
