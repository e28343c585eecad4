package org.isthmus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sip.address.SipURI;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.isthmus.gateway.config.GatewayConfig;
import org.isthmus.sip.testing.TestUserAgent;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.testing.ComponentServer;

/**
 * A real Isthmus on loopback between a JAIN-SIP user agent (the "phone") and a test XMPP server
 * endpoint that accepts the gateway as an XEP-0114 component: each scenario sends on one protocol and
 * reads what arrives on the other, as the walking skeleton's issue describes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
    private static final String BODY = "Grüße, 世界 😀 <&> \"quoted\"";

    private ComponentServer xmpp;
    private TestUserAgent phone;
    private Gateway gateway;
    private int sipPort;

    @BeforeAll
    void start() {
        xmpp = ComponentServer.start("sip.xmpp.test", "e2e-secret");
        phone = TestUserAgent.start("127.0.0.1");
        sipPort = TestUserAgent.freePort("127.0.0.1");
        GatewayConfig config = GatewayConfig.parse("e2e", """
                xmpp:
                  component: {host: 127.0.0.1, port: %d, domain: sip.xmpp.test, secret: e2e-secret,
                              reconnect: {initial: 100ms, max: 500ms}}
                  domains: [xmpp.test]
                sip:
                  listen: {address: 127.0.0.1, port: %d}
                  registrar: {domains: [sip.test]}
                  routes:
                    - {domain: routed.test, host: 127.0.0.1, port: %d, transport: tcp}
                messages:
                  error-window: 1s
                """.formatted(xmpp.port(), sipPort, phone.port()), name -> null);
        gateway = new Gateway(config);
        gateway.start();
        xmpp.awaitConnected(WAIT);
    }

    @AfterEach
    void reset() {
        phone.reset();
        EndToEnd.drain(xmpp);
    }

    @AfterAll
    void stop() {
        EndToEnd.closeAll(gateway, phone, xmpp);
    }

    private Request messageToXmpp(String to, String contentType, byte[] body) {
        return EndToEnd.messageVia(phone, sipPort, to, contentType, body);
    }

    private CompletableFuture<Response> sendAsync(Request request) {
        return CompletableFuture.supplyAsync(() -> phone.send(request, WAIT));
    }

    private static String text(XmlElement stanza, String child) {
        return child(stanza, child).map(XmlElement::text).orElse(null);
    }

    private static Optional<XmlElement> child(XmlElement parent, String name) {
        return EndToEnd.child(parent, name);
    }

    // ---- From SIP to XMPP -------------------------------------------------------------------------

    @Test
    void theSessionViewShowsAMessageInFlightAndItsConversation() throws Exception {
        Request request = messageToXmpp("sip:alice@xmpp.test", "text/plain;charset=UTF-8",
                "watch me".getBytes(StandardCharsets.UTF_8));
        String callId = ((javax.sip.header.CallIdHeader) request.getHeader(javax.sip.header.CallIdHeader.NAME)).getCallId();
        CompletableFuture<Response> answer = sendAsync(request);
        XmlElement stanza = xmpp.takeElement(WAIT);
        // Within the error window the message is in flight, under its Call-ID and stanza id.
        assertThat(gateway.sessions().inFlight()).anySatisfy(m -> {
            assertThat(m.callId()).isEqualTo(callId);
            assertThat(m.stanzaId()).isEqualTo(stanza.attribute("id").orElseThrow());
            assertThat(m.recipient()).isEqualTo("alice@xmpp.test");
        });
        assertThat(answer.get(WAIT.toSeconds(), TimeUnit.SECONDS).getStatusCode()).isEqualTo(202);
        assertThat(gateway.sessions().inFlight()).noneSatisfy(m -> assertThat(m.callId()).isEqualTo(callId));
        assertThat(gateway.sessions().conversations()).anySatisfy(c -> {
            assertThat(c.thread()).isEqualTo(text(stanza, "thread"));
            assertThat(c.xmppParty()).isEqualTo("alice@xmpp.test");
            assertThat(c.sipParty()).isEqualTo("sip:bob@sip.test");
        });
    }

    /** A MESSAGE answered 202, then an XMPP error for it: what the registered sender receives. */
    private Request lateErrorReport(String contentType, byte[] body) {
        EndToEnd.register(phone, sipPort, "bob");
        phone.reset();
        Response accepted = phone.send(messageToXmpp("sip:alice@xmpp.test", contentType, body), WAIT);
        assertThat(accepted.getStatusCode()).isEqualTo(202);
        XmlElement stanza = xmpp.takeElement(WAIT);
        String id = stanza.attribute("id").orElseThrow();
        xmpp.send("<message type='error' from='alice@xmpp.test' to='" + stanza.attribute("from").orElseThrow()
                + "' id='" + id + "'><error type='cancel'><recipient-unavailable xmlns='" + STANZAS
                + "'/></error></message>");
        Request report = phone.awaitRequest(WAIT).request();
        assertThat(report.getMethod()).isEqualTo(Request.MESSAGE);
        assertThat(((FromHeader) report.getHeader(FromHeader.NAME)).getAddress().getURI().toString())
                .isEqualTo("sip:alice@xmpp.test");
        return report;
    }

    @Test
    void aLateXmppErrorReachesTheSipSenderAsANotice() {
        Request notice = lateErrorReport("text/plain;charset=UTF-8", "are you there?".getBytes(StandardCharsets.UTF_8));
        assertThat(((ContentTypeHeader) notice.getHeader(ContentTypeHeader.NAME)).getContentType()).isEqualTo("text");
        assertThat(new String(notice.getRawContent(), StandardCharsets.UTF_8))
                .contains("not delivered").contains("recipient-unavailable");
    }

    @Test
    void aLateXmppErrorBecomesAnImdnWhenTheSenderAskedForOne() {
        // RFC 5438 §7.1.1.3: an IM in Message/CPIM asking for delivery notifications.
        String cpim = "From: <sip:bob@sip.test>\r\nTo: <sip:alice@xmpp.test>\r\nNS: imdn <urn:ietf:params:imdn>\r\n"
                + "imdn.Message-ID: 34jk324j\r\nDateTime: 2026-11-21T12:00:00Z\r\n"
                + "imdn.Disposition-Notification: positive-delivery, negative-delivery\r\n\r\n"
                + "Content-Type: text/plain;charset=UTF-8\r\n\r\nare you there?";
        Request report = lateErrorReport("message/cpim", cpim.getBytes(StandardCharsets.UTF_8));
        String body = new String(report.getRawContent(), StandardCharsets.UTF_8);
        assertThat(((ContentTypeHeader) report.getHeader(ContentTypeHeader.NAME)).getContentSubType()).isEqualTo("cpim");
        assertThat(body).contains("message/imdn+xml").contains("<message-id>34jk324j</message-id>").contains("<failed/>");
    }

    @Test
    void sipMessageBecomesAnXmppMessageAndIsAccepted() {
        Instant sent = Instant.now();
        Response response = phone.send(messageToXmpp("sip:alice@xmpp.test", "text/plain;charset=UTF-8",
                BODY.getBytes(StandardCharsets.UTF_8)), WAIT);

        XmlElement stanza = xmpp.takeElement(WAIT);
        assertThat(stanza.name()).isEqualTo("message");
        assertThat(stanza.attribute("from")).contains("bob\\40sip.test@sip.xmpp.test");
        assertThat(stanza.attribute("to")).contains("alice@xmpp.test");
        // RFC 7572 §5: a pager-mode message has no type (normal).
        assertThat(stanza.attribute("type")).isEmpty();
        assertThat(stanza.attribute("id")).isPresent();
        assertThat(text(stanza, "body")).isEqualTo(BODY);
        // RFC 3428 §7: a gateway answers 202 Accepted, after the error window has passed.
        assertThat(response.getStatusCode()).isEqualTo(202);
        assertThat(Duration.between(sent, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void bodyInAnotherCharsetArrivesAsTheSameText() {
        Response response = phone.send(messageToXmpp("sip:alice@xmpp.test", "text/plain;charset=ISO-8859-1",
                "Grüße aus Köln".getBytes(StandardCharsets.ISO_8859_1)), WAIT);
        assertThat(text(xmpp.takeElement(WAIT), "body")).isEqualTo("Grüße aus Köln");
        assertThat(response.getStatusCode()).isEqualTo(202);
    }

    @Test
    void xmppErrorWithinTheWindowBecomesTheRfc7247Status() {
        CompletableFuture<Response> response = sendAsync(messageToXmpp("sip:nobody@xmpp.test",
                "text/plain", "hello?".getBytes(StandardCharsets.UTF_8)));
        XmlElement stanza = xmpp.takeElement(WAIT);
        String id = stanza.attribute("id").orElseThrow();
        // What Prosody answers for a user that does not exist (RFC 6121 §8.5.2.2.1).
        xmpp.send("<message type='error' from='nobody@xmpp.test' to='bob\\40sip.test@sip.xmpp.test' id='" + id + "'>"
                + "<error type='cancel'><service-unavailable xmlns='" + STANZAS + "'/></error></message>");
        // RFC 7247 §7.1 note (5): service-unavailable is closest to 403.
        assertThat(response.join().getStatusCode()).isEqualTo(403);
    }

    @Test
    void itemNotFoundForABareJidIs604() {
        CompletableFuture<Response> response = sendAsync(messageToXmpp("sip:gone@xmpp.test",
                "text/plain", "hello?".getBytes(StandardCharsets.UTF_8)));
        String id = xmpp.takeElement(WAIT).attribute("id").orElseThrow();
        xmpp.send("<message type='error' from='gone@xmpp.test' to='bob\\40sip.test@sip.xmpp.test' id='" + id + "'>"
                + "<error type='cancel'><item-not-found xmlns='" + STANZAS + "'/>"
                + "<text xmlns='" + STANZAS + "'>No such user</text></error></message>");
        Response r = response.join();
        assertThat(r.getStatusCode()).isEqualTo(604);
        assertThat(r.getReasonPhrase()).isEqualTo("No such user");
    }

    @Test
    void anErrorFromSomeoneElseDoesNotAnswerTheMessage() {
        CompletableFuture<Response> response = sendAsync(messageToXmpp("sip:alice@xmpp.test",
                "text/plain", "hi".getBytes(StandardCharsets.UTF_8)));
        String id = xmpp.takeElement(WAIT).attribute("id").orElseThrow();
        xmpp.send("<message type='error' from='mallory@xmpp.test' to='bob\\40sip.test@sip.xmpp.test' id='" + id + "'>"
                + "<error type='cancel'><item-not-found xmlns='" + STANZAS + "'/></error></message>");
        assertThat(response.join().getStatusCode()).isEqualTo(202);
    }

    @Test
    void unsupportedBodyTypeIs415AndNothingIsSent() {
        Response response = phone.send(messageToXmpp("sip:alice@xmpp.test", "application/octet-stream",
                new byte[] {1, 2, 3}), WAIT);
        assertThat(response.getStatusCode()).isEqualTo(415);
        assertThat(xmpp.poll(Duration.ofMillis(300))).isEmpty();
    }

    @Test
    void messageForADomainThatIsNotXmppIs404() {
        Response response = phone.send(messageToXmpp("sip:carol@elsewhere.test", "text/plain",
                "x".getBytes(StandardCharsets.UTF_8)), WAIT);
        assertThat(response.getStatusCode()).isEqualTo(404);
        assertThat(xmpp.poll(Duration.ofMillis(300))).isEmpty();
    }

    @Test
    void whileTheXmppServerIsDownMessagesGet503AtOnceAndFlowAgainWhenItReturns() {
        int port = xmpp.port();
        xmpp.close();
        awaitXmppUp(false);

        Instant sent = Instant.now();
        Response down = phone.send(messageToXmpp("sip:alice@xmpp.test", "text/plain",
                "anyone?".getBytes(StandardCharsets.UTF_8)), WAIT);
        assertThat(down.getStatusCode()).isEqualTo(503);
        assertThat(Duration.between(sent, Instant.now())).isLessThan(Duration.ofMillis(900));

        xmpp = ComponentServer.start("sip.xmpp.test", "e2e-secret", port);
        xmpp.awaitConnected(WAIT);
        awaitXmppUp(true);
        Response up = phone.send(messageToXmpp("sip:alice@xmpp.test", "text/plain",
                "back".getBytes(StandardCharsets.UTF_8)), WAIT);
        assertThat(text(xmpp.takeElement(WAIT), "body")).isEqualTo("back");
        assertThat(up.getStatusCode()).isEqualTo(202);
    }

    private void awaitXmppUp(boolean up) {
        EndToEnd.awaitXmppUp(gateway, up);
    }

    // ---- From XMPP to SIP -------------------------------------------------------------------------

    private void registerPhoneAs(String user) {
        Response r = EndToEnd.register(phone, sipPort, user);
        assertThat(r.getHeader("Contact").toString()).contains("127.0.0.1:" + phone.port());
    }

    @Test
    void xmppMessageReachesTheRegisteredPhone() {
        registerPhoneAs("bob");
        xmpp.send("<message from='alice@xmpp.test/desk' to='bob\\40sip.test@sip.xmpp.test' id='m1' type='chat'>"
                + "<body>" + BODY.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</body></message>");

        TestUserAgent.Received received = phone.awaitRequest(WAIT);
        Request request = received.request();
        assertThat(request.getMethod()).isEqualTo(Request.MESSAGE);
        // RFC 3261 §10: the registered contact becomes the Request-URI.
        assertThat(((SipURI) request.getRequestURI()).getPort()).isEqualTo(phone.port());
        // RFC 7572 §4 Table 1 note 1: the sender's resource is the From URI's gr parameter.
        SipURI from = (SipURI) ((FromHeader) request.getHeader(FromHeader.NAME)).getAddress().getURI();
        assertThat(from.getUser()).isEqualTo("alice");
        assertThat(from.getHost()).isEqualTo("xmpp.test");
        assertThat(from.getParameter("gr")).isEqualTo("desk");
        ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
        assertThat(type.getContentType() + "/" + type.getContentSubType()).isEqualTo("text/plain");
        assertThat(type.getParameter("charset")).isEqualToIgnoringCase("UTF-8");
        assertThat(new String(request.getRawContent(), StandardCharsets.UTF_8)).isEqualTo(BODY);
        // Delivered: no error comes back.
        assertThat(xmpp.poll(Duration.ofMillis(500))).isEmpty();
    }

    @Test
    void sipFailureComesBackAsAnXmppErrorWithTheRfc7247Condition() {
        registerPhoneAs("bob");
        phone.answerWith(486, "Busy Here");
        xmpp.send("<message from='alice@xmpp.test/desk' to='bob\\40sip.test@sip.xmpp.test' id='m2'>"
                + "<body>are you there?</body></message>");
        phone.awaitRequest(WAIT);

        XmlElement error = xmpp.takeElement(WAIT);
        assertThat(error.attribute("type")).contains("error");
        assertThat(error.attribute("id")).contains("m2");
        assertThat(error.attribute("to")).contains("alice@xmpp.test/desk");
        assertThat(error.attribute("from")).contains("bob\\40sip.test@sip.xmpp.test");
        XmlElement e = child(error, "error").orElseThrow();
        // RFC 7247 §7.2: 486 -> recipient-unavailable.
        assertThat(child(e, "recipient-unavailable")).isPresent();
        assertThat(child(e, "text").map(XmlElement::text)).contains("Busy Here");
    }

    @Test
    void messageToAnUnregisteredUserIsRecipientUnavailable() {
        xmpp.send("<message from='alice@xmpp.test/desk' to='carol\\40sip.test@sip.xmpp.test' id='m3'>"
                + "<body>hello carol</body></message>");
        XmlElement error = xmpp.takeElement(WAIT);
        assertThat(error.attribute("id")).contains("m3");
        assertThat(child(child(error, "error").orElseThrow(), "recipient-unavailable")).isPresent();
        assertThat(phone.nothingReceived(Duration.ofMillis(300))).isTrue();
    }

    @Test
    void messageToADomainWithNoRouteIsRemoteServerNotFound() {
        xmpp.send("<message from='alice@xmpp.test' to='dave\\40nowhere.test@sip.xmpp.test' id='m4'>"
                + "<body>hello</body></message>");
        XmlElement error = xmpp.takeElement(WAIT);
        assertThat(child(child(error, "error").orElseThrow(), "remote-server-not-found")).isPresent();
    }

    @Test
    void staticRouteCarriesTheMessageOverTcpWithTheUsersAddressAsRequestUri() {
        xmpp.send("<message from='alice@xmpp.test' to='erin\\40routed.test@sip.xmpp.test' id='m5'>"
                + "<body>via the route</body></message>");
        TestUserAgent.Received received = phone.awaitRequest(WAIT);
        assertThat(received.transport()).isEqualTo("tcp");
        assertThat(received.request().getRequestURI().toString()).isEqualTo("sip:erin@routed.test");
        assertThat(new String(received.request().getRawContent(), StandardCharsets.UTF_8)).isEqualTo("via the route");
        assertThat(xmpp.poll(Duration.ofMillis(300))).isEmpty();
    }

    @Test
    void chatStateWithoutBodyIsNotRelayed() {
        registerPhoneAs("bob");
        xmpp.send("<message from='alice@xmpp.test/desk' to='bob\\40sip.test@sip.xmpp.test' id='m6' type='chat'>"
                + "<composing xmlns='http://jabber.org/protocol/chatstates'/></message>");
        assertThat(phone.nothingReceived(Duration.ofMillis(500))).isTrue();
        assertThat(xmpp.poll(Duration.ofMillis(100))).isEmpty();
    }

    @Test
    void phoneTimeoutComesBackAsRemoteServerTimeout() {
        registerPhoneAs("bob");
        phone.answerWith(408, "Request Timeout");
        xmpp.send("<message from='alice@xmpp.test/desk' to='bob\\40sip.test@sip.xmpp.test' id='m7'>"
                + "<body>slow</body></message>");
        phone.awaitRequest(WAIT);
        XmlElement error = xmpp.takeElement(WAIT);
        assertThat(child(child(error, "error").orElseThrow(), "remote-server-timeout")).isPresent();
    }
}
