package org.isthmus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import javax.sip.message.Request;
import javax.sip.message.Response;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.isthmus.gateway.config.GatewayConfig;
import org.isthmus.sip.testing.TestUserAgent;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.testing.ComponentServer;

/**
 * A registration the gateway accepted survives a restart when a state store is configured: the phone
 * registers once, the gateway is closed and started again on the same store, and a message from XMPP
 * still reaches the phone. Without a store the same sequence loses the binding, which is what makes
 * this test able to fail.
 */
class GatewayRestartTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path data;

    private ComponentServer xmpp;
    private TestUserAgent phone;

    @BeforeEach
    void peers() {
        xmpp = ComponentServer.start("sip.xmpp.test", "restart-secret");
        phone = TestUserAgent.start("127.0.0.1");
    }

    @AfterEach
    void close() {
        phone.close();
        xmpp.close();
    }

    private GatewayConfig config(int sipPort, boolean withStore) {
        return GatewayConfig.parse("restart", """
                xmpp:
                  component: {host: 127.0.0.1, port: %d, domain: sip.xmpp.test, secret: restart-secret}
                  domains: [xmpp.test]
                sip:
                  listen: {address: 127.0.0.1, port: %d}
                  registrar: {domains: [sip.test]}
                """.formatted(xmpp.port(), sipPort)
                + (withStore ? "store: {type: embedded, data-dir: \"" + data + "\"}\n" : ""), name -> null);
    }

    private void register(int sipPort) {
        Request register = phone.request(Request.REGISTER, "sip:127.0.0.1:" + sipPort, "<sip:bob@sip.test>",
                "<sip:bob@sip.test>");
        phone.with(register, "Contact", "<sip:bob@127.0.0.1:" + phone.port() + ">");
        phone.with(register, "Expires", "600");
        Response r = phone.send(register, WAIT);
        assertThat(r.getStatusCode()).isEqualTo(200);
    }

    /** Registers, restarts the gateway, sends from XMPP; returns what came back to the XMPP side, if anything. */
    private Optional<XmlElement> registerRestartAndSend(boolean withStore) {
        int sipPort = TestUserAgent.freePort("127.0.0.1");
        try (Gateway first = new Gateway(config(sipPort, withStore))) {
            first.start();
            xmpp.awaitConnected(WAIT);
            register(sipPort);
        }
        xmpp.awaitDisconnected(WAIT);
        try (Gateway second = new Gateway(config(sipPort, withStore))) {
            second.start();
            xmpp.awaitConnected(WAIT);
            xmpp.send("<message from='alice@xmpp.test/desk' to='bob\\40sip.test@sip.xmpp.test' id='r1'>"
                    + "<body>still there?</body></message>");
            if (withStore) {
                Request message = phone.awaitRequest(WAIT).request();
                assertThat(new String(message.getRawContent(), StandardCharsets.UTF_8)).isEqualTo("still there?");
            }
            return xmpp.poll(Duration.ofMillis(700));
        }
    }

    @Test
    void aRegistrationAcceptedBeforeARestartStillRoutesMessagesAfterIt() {
        assertThat(registerRestartAndSend(true)).as("no error back: delivered to the phone").isEmpty();
    }

    @Test
    void withoutAStoreTheRegistrationIsLostOnRestart() {
        XmlElement error = registerRestartAndSend(false).orElseThrow();
        assertThat(error.attribute("type")).contains("error");
        assertThat(error.children().get(error.children().size() - 1).children().get(0).name())
                .isEqualTo("recipient-unavailable");
    }
}
