package org.isthmus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import javax.sip.address.SipURI;
import javax.sip.header.FromHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.isthmus.gateway.config.GatewayConfig;
import org.isthmus.sip.testing.TestUserAgent;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.testing.ComponentServer;

/**
 * A real Isthmus on loopback attached to two XMPP servers at once: server A hosts a.test and accepts
 * the component sip.a.test, server B hosts b.test and accepts sip.b.test. A SIP user appears to each
 * XMPP user under the component of that user's server, and each stanza leaves by the link of its
 * from-domain (XEP-0114 §3), replies included.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SeveralComponentsEndToEndTest {

    private static final Duration WAIT = EndToEnd.WAIT;
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final String STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

    private ComponentServer serverA;
    private ComponentServer serverB;
    private TestUserAgent phone;
    private Gateway gateway;
    private int sipPort;

    @BeforeAll
    void start() {
        serverA = ComponentServer.start("sip.a.test", "secret-a");
        serverB = ComponentServer.start("sip.b.test", "secret-b");
        phone = TestUserAgent.start("127.0.0.1");
        sipPort = TestUserAgent.freePort("127.0.0.1");
        GatewayConfig config = GatewayConfig.parse("several-components", """
                xmpp:
                  components:
                    - {host: 127.0.0.1, port: %d, domain: sip.a.test, secret: secret-a, domains: [a.test],
                       reconnect: {initial: 100ms, max: 500ms}}
                    - {host: 127.0.0.1, port: %d, domain: sip.b.test, secret: secret-b, domains: [b.test],
                       reconnect: {initial: 100ms, max: 500ms}}
                sip:
                  listen: {address: 127.0.0.1, port: %d}
                  registrar: {domains: [sip.test]}
                messages:
                  error-window: 300ms
                """.formatted(serverA.port(), serverB.port(), sipPort), name -> null);
        gateway = new Gateway(config);
        gateway.start();
        serverA.awaitConnected(WAIT);
        serverB.awaitConnected(WAIT);
        awaitXmppUp(true);
    }

    @AfterEach
    void reset() {
        phone.reset();
        EndToEnd.drain(serverA);
        EndToEnd.drain(serverB);
    }

    @AfterAll
    void stop() {
        EndToEnd.closeAll(gateway, phone, serverA, serverB);
    }

    private Request messageToXmpp(String to, String body) {
        return EndToEnd.messageVia(phone, sipPort, to, "text/plain;charset=UTF-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private void registerPhoneAs(String user) {
        EndToEnd.register(phone, sipPort, user);
    }

    private static Optional<XmlElement> child(XmlElement parent, String name) {
        return EndToEnd.child(parent, name);
    }

    private void awaitXmppUp(boolean up) {
        EndToEnd.awaitXmppUp(gateway, up);
    }

    private ComponentServer server(String name) {
        return name.equals("A") ? serverA : serverB;
    }

    // ---- From SIP to XMPP -------------------------------------------------------------------------

    @ParameterizedTest(name = "to {1} on server {0}: from {2}")
    @CsvSource({
        "A, alice@a.test, bob\\40sip.test@sip.a.test, B",
        "B, carol@b.test, bob\\40sip.test@sip.b.test, A",
    })
    void messageLeavesOnTheComponentOfTheRecipientsServer(String server, String to, String from, String other) {
        Response response = phone.send(messageToXmpp("sip:" + to, "hello " + server), WAIT);

        XmlElement stanza = server(server).takeElement(WAIT);
        assertThat(stanza.attribute("from")).contains(from);
        assertThat(stanza.attribute("to")).contains(to);
        assertThat(child(stanza, "body").map(XmlElement::text)).contains("hello " + server);
        assertThat(server(other).poll(QUIET)).isEmpty();
        assertThat(response.getStatusCode()).isEqualTo(202);
    }

    /** RFC 7247 §7.1: the error server B returns for its stanza answers the MESSAGE, as with one link. */
    @Test
    void anErrorFromServerBAnswersTheMessageSentThroughIt() {
        CompletableFuture<Response> response = CompletableFuture.supplyAsync(() ->
                phone.send(messageToXmpp("sip:nobody@b.test", "anyone?"), WAIT));
        String id = serverB.takeElement(WAIT).attribute("id").orElseThrow();
        serverB.send("<message type='error' from='nobody@b.test' to='bob\\40sip.test@sip.b.test' id='" + id + "'>"
                + "<error type='cancel'><item-not-found xmlns='" + STANZAS + "'/></error></message>");
        assertThat(response.join().getStatusCode()).isEqualTo(604);
    }

    // ---- From XMPP to SIP, and replies -------------------------------------------------------------

    @Test
    void repliesFromEitherServerReachThePhoneWithTheirSendersAddress() {
        registerPhoneAs("bob");
        serverB.send("<message from='carol@b.test/desk' to='bob\\40sip.test@sip.b.test' id='b1' type='chat'>"
                + "<body>reply from B</body></message>");
        Request fromB = phone.awaitRequest(WAIT).request();
        SipURI carol = (SipURI) ((FromHeader) fromB.getHeader(FromHeader.NAME)).getAddress().getURI();
        assertThat(carol.getUser() + "@" + carol.getHost()).isEqualTo("carol@b.test");
        assertThat(new String(fromB.getRawContent(), StandardCharsets.UTF_8)).isEqualTo("reply from B");

        serverA.send("<message from='alice@a.test/desk' to='bob\\40sip.test@sip.a.test' id='a1' type='chat'>"
                + "<body>reply from A</body></message>");
        Request fromA = phone.awaitRequest(WAIT).request();
        SipURI alice = (SipURI) ((FromHeader) fromA.getHeader(FromHeader.NAME)).getAddress().getURI();
        assertThat(alice.getUser() + "@" + alice.getHost()).isEqualTo("alice@a.test");
        // Delivered: no error comes back on either link.
        assertThat(serverA.poll(QUIET)).isEmpty();
        assertThat(serverB.poll(QUIET)).isEmpty();
    }

    /** The error for a stanza that came in on B is sent from its sip.b.test addressee, so it leaves on B. */
    @Test
    void anErrorReplyLeavesOnTheLinkTheMessageCameIn() {
        serverB.send("<message from='carol@b.test/desk' to='dave\\40sip.test@sip.b.test' id='b2'>"
                + "<body>hello dave</body></message>");
        XmlElement error = serverB.takeElement(WAIT);
        assertThat(error.attribute("type")).contains("error");
        assertThat(error.attribute("id")).contains("b2");
        assertThat(error.attribute("from")).contains("dave\\40sip.test@sip.b.test");
        assertThat(error.attribute("to")).contains("carol@b.test/desk");
        assertThat(child(child(error, "error").orElseThrow(), "recipient-unavailable")).isPresent();
        assertThat(serverA.poll(QUIET)).isEmpty();
    }

    // ---- One link down -----------------------------------------------------------------------------

    @Test
    void whileServerBIsDownItsUsersGet503AndServerAsUsersAreStillReached() {
        int port = serverB.port();
        serverB.close();
        awaitXmppUp(false);
        try {
            assertThat(phone.send(messageToXmpp("sip:carol@b.test", "anyone?"), WAIT).getStatusCode()).isEqualTo(503);
            Response toA = phone.send(messageToXmpp("sip:alice@a.test", "still here"), WAIT);
            assertThat(serverA.takeElement(WAIT).attribute("to")).contains("alice@a.test");
            assertThat(toA.getStatusCode()).isEqualTo(202);
        } finally {
            serverB = ComponentServer.start("sip.b.test", "secret-b", port);
            serverB.awaitConnected(WAIT);
            awaitXmppUp(true);
        }
        Response toB = phone.send(messageToXmpp("sip:carol@b.test", "back"), WAIT);
        assertThat(serverB.takeElement(WAIT).attribute("from")).contains("bob\\40sip.test@sip.b.test");
        assertThat(toB.getStatusCode()).isEqualTo(202);
    }
}
