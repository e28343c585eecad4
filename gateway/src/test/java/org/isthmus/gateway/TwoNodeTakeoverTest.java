package org.isthmus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.isthmus.gateway.store.RedisServer;
import org.isthmus.sip.testing.TestUserAgent;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.testing.ComponentServer;

/**
 * Issue 6's two-node test: two Isthmus processes share a real redis-server. Node A holds the XMPP
 * component; node B stands by (the XMPP server refuses a second component connection with
 * {@code conflict}, as Prosody's default policy does). Subscriptions made through A, one each way,
 * keep working through B once A is killed with SIGKILL: B refreshes A's SIP subscription in its dialog
 * with its own Contact (a target refresh), sends the next NOTIFY in A's notifier dialog, and its
 * component link takes over.
 */
@Tag("interop")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TwoNodeTakeoverTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String BOB = "bob\\40routed.test@sip.xmpp.test";
    private static final String CAROL = "carol\\40routed.test@sip.xmpp.test";

    @TempDir
    Path dir;

    private RedisServer redis;
    private ComponentServer xmpp;
    private TestUserAgent phone;
    private GatewayProcess nodeA;
    private GatewayProcess nodeB;
    private int portA;
    private int portB;

    @BeforeEach
    void start() throws IOException {
        redis = RedisServer.start(true);
        xmpp = ComponentServer.start("sip.xmpp.test", "two-node-secret");
        phone = TestUserAgent.start("127.0.0.1");
        portA = TestUserAgent.freePort("127.0.0.1");
        portB = TestUserAgent.freePort("127.0.0.1");
        nodeA = GatewayProcess.start(config("a", portA), dir.resolve("a.log"));
        xmpp.awaitConnected(Duration.ofSeconds(60)); // a JVM start: over 20 s was seen on a loaded machine
        // B's component connection is refused (conflict) while A holds the component.
        nodeB = GatewayProcess.start(config("b", portB), dir.resolve("b.log"));
    }

    private Path config(String node, int sipPort) throws IOException {
        Path file = dir.resolve(node + ".yaml");
        Files.writeString(file, """
                xmpp:
                  component: {host: 127.0.0.1, port: %d, domain: sip.xmpp.test, secret: two-node-secret,
                              reconnect: {initial: 100ms, max: 300ms}}
                  domains: [xmpp.test]
                sip:
                  listen: {address: 127.0.0.1, port: %d}
                  routes:
                    - {domain: routed.test, host: 127.0.0.1, port: %d, transport: udp}
                store: {type: redis, redis-uri: "%s"}
                cluster: {node-id: node-%s, heartbeat: 300ms, takeover-after: 1500ms}
                presence: {coalesce: 0s}
                """.formatted(xmpp.port(), sipPort, phone.port(), redis.uri(), node));
        return file;
    }

    @AfterEach
    void stop() throws Exception {
        EndToEnd.closeAll(nodeA, nodeB, phone, xmpp, redis);
    }

    private static String header(Request r, String name) {
        return r.getHeader(name) == null ? null : r.getHeader(name).toString().substring(name.length() + 1).trim();
    }

    private static String callId(Request r) {
        return ((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId();
    }

    private static long cseq(Request r) {
        return ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getSeqNumber();
    }

    private static int contactPort(Request r) {
        return ((SipURI) ((ContactHeader) r.getHeader(ContactHeader.NAME)).getAddress().getURI()).getPort();
    }

    private Request awaitMethod(String method) {
        for (int i = 0; i < 20; i++) {
            Request r = phone.awaitRequest(WAIT).request();
            if (r.getMethod().equals(method)) {
                return r;
            }
        }
        throw new AssertionError("no " + method);
    }

    private XmlElement awaitPresence(String type, String from) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<XmlElement> e = xmpp.poll(Duration.ofMillis(200));
            if (e.isPresent() && e.get().name().equals("presence")
                    && e.get().attribute("type").orElse("available").equals(type)
                    && e.get().attribute("from").orElse("").startsWith(from)) {
                return e.get();
            }
        }
        throw new AssertionError("no presence " + type + " from " + from);
    }

    private static byte[] pidf(String note) {
        return ("<?xml version='1.0' encoding='UTF-8'?><presence xmlns='urn:ietf:params:xml:ns:pidf'"
                + " entity='pres:bob@routed.test'><tuple id='t1'><status><basic>open</basic></status>"
                + "<note>" + note + "</note></tuple></presence>").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aSiblingTakesOverBothDirectionsWhenTheNodeHoldingThemIsKilled() throws Exception {
        phone.answerWith(r -> new TestUserAgent.Answer(200, "OK", Map.of(
                "Expires", "0".equals(header(r, "Expires")) ? "0" : "3600",
                "Contact", "<sip:bob@127.0.0.1:" + phone.port() + ">"), Optional.of("bob-tag")));

        // Through A: alice watches bob (SIP), and carol (SIP) watches dave.
        xmpp.send("<presence type='subscribe' from='alice@xmpp.test' to='" + BOB + "'/>");
        Request subscribe = awaitMethod(Request.SUBSCRIBE);
        assertThat(contactPort(subscribe)).isEqualTo(portA);
        assertThat(phone.send(phone.notifyFor(subscribe, "bob-tag", 1, "active;expires=3600", pidf("before"), "udp"),
                WAIT).getStatusCode()).isEqualTo(200);
        awaitPresence("subscribed", BOB);
        awaitPresence("available", BOB);

        Request watch = phone.request(Request.SUBSCRIBE, "sip:dave@xmpp.test", "<sip:carol@routed.test>",
                "<sip:dave@xmpp.test>");
        phone.with(watch, "Event", "presence");
        phone.with(watch, "Expires", "3600");
        phone.with(watch, "Contact", "<sip:carol@127.0.0.1:" + phone.port() + ">");
        phone.with(watch, "Route", "<sip:127.0.0.1:" + portA + ";lr>");
        assertThat(phone.send(watch, WAIT).getStatusCode()).isEqualTo(200);
        awaitPresence("subscribe", CAROL);
        xmpp.send("<presence type='subscribed' from='dave@xmpp.test' to='" + CAROL + "'/>");
        Request active;
        do {
            active = awaitMethod(Request.NOTIFY);
        } while (!header(active, "Subscription-State").startsWith("active"));
        long lastCseq = cseq(active);

        // A dies; B's component link gets in, and B takes A's pairs over.
        nodeA.kill();
        nodeA = null;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (xmpp.acceptedHandshakes() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(xmpp.acceptedHandshakes()).as("B's component handshakes after A died").isEqualTo(2);

        // B refreshes alice's subscription to bob in its dialog, with B's Contact (RFC 6665 target refresh).
        Request refresh = awaitMethod(Request.SUBSCRIBE);
        assertThat(callId(refresh)).isEqualTo(callId(subscribe));
        assertThat(((ToHeader) refresh.getHeader(ToHeader.NAME)).getTag()).isEqualTo("bob-tag");
        assertThat(contactPort(refresh)).isEqualTo(portB);

        // bob's next NOTIFY, now sent to B, reaches alice.
        assertThat(phone.send(phone.notifyFor(refresh, "bob-tag", 2, "active;expires=3600", pidf("after"), "udp"),
                WAIT).getStatusCode()).isEqualTo(200);
        XmlElement bobAfter = awaitPresence("available", BOB);
        assertThat(bobAfter.children().stream().filter(c -> c.name().equals("status")).map(XmlElement::text))
                .contains("after");

        // dave's next presence reaches carol in A's notifier dialog, sent by B.
        xmpp.send("<presence from='dave@xmpp.test/desk' to='" + CAROL + "'><status>via B</status></presence>");
        Request next;
        do {
            next = awaitMethod(Request.NOTIFY);
        } while (!new String(next.getRawContent() == null ? new byte[0] : next.getRawContent(),
                StandardCharsets.UTF_8).contains("via B"));
        assertThat(callId(next)).isEqualTo(callId(active));
        assertThat(cseq(next)).isGreaterThan(lastCseq);
        assertThat(contactPort(next)).isEqualTo(portB);
    }
}
