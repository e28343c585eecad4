package org.isthmus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sip.header.CallIdHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.isthmus.gateway.config.GatewayConfig;
import org.isthmus.sip.testing.TestUserAgent;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.testing.ComponentServer;

/**
 * Issue 8's shutdown, on a gateway without a store: a message in its error window when the gateway
 * is told to stop still gets its 202 and reaches XMPP; a SIP watcher's subscription, which would
 * otherwise dangle, ends with NOTIFY terminated;reason=probation and a retry-after.
 */
class GracefulShutdownTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String CONTACT = "bob\\40routed.test@sip.xmpp.test";

    private ComponentServer xmpp;
    private TestUserAgent phone;
    private Gateway gateway;
    private int sipPort;

    @BeforeEach
    void start() {
        xmpp = ComponentServer.start("sip.xmpp.test", "stop-secret");
        phone = TestUserAgent.start("127.0.0.1");
        sipPort = TestUserAgent.freePort("127.0.0.1");
        gateway = new Gateway(GatewayConfig.parse("shutdown", """
                xmpp:
                  component: {host: 127.0.0.1, port: %d, domain: sip.xmpp.test, secret: stop-secret}
                  domains: [xmpp.test]
                sip:
                  listen: {address: 127.0.0.1, port: %d}
                  routes:
                    - {domain: routed.test, host: 127.0.0.1, port: %d, transport: udp}
                messages: {error-window: 1s}
                """.formatted(xmpp.port(), sipPort, phone.port()), name -> null));
        gateway.start();
        xmpp.awaitConnected(WAIT);
        // The server accepts the handshake a moment before the gateway reads that it did.
        EndToEnd.awaitXmppUp(gateway, true);
    }

    @AfterEach
    void stop() throws Exception {
        EndToEnd.closeAll(gateway, phone, xmpp);
    }

    @Test
    void aMessageInItsErrorWindowIsAnsweredBeforeTheLinksClose() throws Exception {
        CompletableFuture<Response> answer = phone.sendAsync(EndToEnd.messageVia(phone, sipPort, "sip:alice@xmpp.test",
                "text/plain;charset=UTF-8", "last words".getBytes(StandardCharsets.UTF_8)), WAIT);
        XmlElement stanza = xmpp.takeElement(WAIT);
        assertThat(stanza.name()).isEqualTo("message");
        gateway.close();
        assertThat(answer.get(WAIT.toSeconds(), TimeUnit.SECONDS).getStatusCode()).isEqualTo(202);
    }

    /**
     * XEP-0114 acknowledges nothing: when the link ends while a message waits in its error window, the
     * stanza may never have been read, so the answer is 503 rather than a 202 that promises delivery.
     */
    @Test
    void aMessageInItsErrorWindowWhenTheLinkDropsIsAnswered503() throws Exception {
        CompletableFuture<Response> answer = phone.sendAsync(EndToEnd.messageVia(phone, sipPort, "sip:alice@xmpp.test",
                "text/plain;charset=UTF-8", "into the void?".getBytes(StandardCharsets.UTF_8)), WAIT);
        assertThat(xmpp.takeElement(WAIT).name()).isEqualTo("message");
        xmpp.dropConnection();
        assertThat(answer.get(WAIT.toSeconds(), TimeUnit.SECONDS).getStatusCode()).isEqualTo(503);
    }

    /**
     * While the gateway stops, a new SIP MESSAGE gets 503 and a new XMPP message remote-server-timeout;
     * an XMPP message whose SIP final response has not come when the drain time is up gets
     * remote-server-timeout too, before the link closes.
     */
    @Test
    void whileStoppingNewMessagesAreRefusedAndOneInFlightGetsAnError() throws Exception {
        phone.answerWith(100, "Trying");
        xmpp.send("<message from='alice@xmpp.test/desk' to='" + CONTACT + "' id='w1'><body>hold on</body></message>");
        assertThat(phone.awaitRequest(WAIT).request().getMethod()).isEqualTo(Request.MESSAGE);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(gateway::close);
        // The drain waits for w1's answer (error window + 1 s): time enough to knock twice.
        Thread.sleep(300);
        CompletableFuture<Response> late = phone.sendAsync(EndToEnd.messageVia(phone, sipPort, "sip:alice@xmpp.test",
                "text/plain;charset=UTF-8", "too late".getBytes(StandardCharsets.UTF_8)), WAIT);
        assertThat(late.get(WAIT.toSeconds(), TimeUnit.SECONDS).getStatusCode()).isEqualTo(503);
        xmpp.send("<message from='alice@xmpp.test/desk' to='" + CONTACT + "' id='w2'><body>and this?</body></message>");

        XmlElement refused = xmpp.takeElement(WAIT);
        assertThat(refused.attribute("id")).contains("w2");
        assertThat(refused.attribute("type")).contains("error");
        assertThat(EndToEnd.child(EndToEnd.child(refused, "error").orElseThrow(), "remote-server-timeout")).isPresent();
        XmlElement failed = xmpp.takeElement(WAIT);
        assertThat(failed.attribute("id")).contains("w1");
        assertThat(failed.attribute("type")).contains("error");
        assertThat(EndToEnd.child(EndToEnd.child(failed, "error").orElseThrow(), "remote-server-timeout")).isPresent();
        closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aSipWatcherIsToldToComeBackLater() {
        phone.answerWith(200, "OK");
        Request subscribe = phone.request(Request.SUBSCRIBE, "sip:alice@xmpp.test", "<sip:bob@routed.test>",
                "<sip:alice@xmpp.test>");
        phone.with(subscribe, "Event", "presence");
        phone.with(subscribe, "Expires", "600");
        phone.with(subscribe, "Contact", "<sip:bob@127.0.0.1:" + phone.port() + ">");
        phone.with(subscribe, "Route", "<sip:127.0.0.1:" + sipPort + ";lr>");
        assertThat(phone.send(subscribe, WAIT).getStatusCode()).isEqualTo(200);
        assertThat(phone.awaitRequest(WAIT).request().getMethod()).isEqualTo(Request.NOTIFY);
        xmpp.send("<presence type='subscribed' from='alice@xmpp.test' to='" + CONTACT + "'/>");
        Request active = phone.awaitRequest(WAIT).request();
        assertThat(active.getHeader("Subscription-State").toString()).contains("active");

        gateway.close();
        Request last = phone.awaitRequest(WAIT).request();
        assertThat(last.getMethod()).isEqualTo(Request.NOTIFY);
        assertThat(((CallIdHeader) last.getHeader(CallIdHeader.NAME)).getCallId())
                .isEqualTo(((CallIdHeader) subscribe.getHeader(CallIdHeader.NAME)).getCallId());
        assertThat(last.getHeader("Subscription-State").toString()).contains("terminated")
                .contains("reason=probation").contains("retry-after=60");
    }
}
