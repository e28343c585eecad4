package org.isthmus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import javax.sip.header.CallIdHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.isthmus.sip.testing.TestUserAgent;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.testing.ComponentServer;

/**
 * Issue 6's restart test: 1,000 live subscriptions, half each way, through an Isthmus running as its
 * own process (the real CLI, {@code isthmus run}); the process is killed with SIGKILL and started
 * again on the same embedded store. Every subscription must keep working (the next presence change
 * reaches every watcher, both ways), and the refreshing SUBSCRIBEs after the restart must stay under
 * {@code presence.restore-rate}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PresenceRestartTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** A JVM start and a component handshake: over 20 s was seen with a load average of 30 on 2 cores. */
    private static final Duration START = Duration.ofSeconds(60);
    private static final int EACH_WAY = 500;
    private static final int RESTORE_RATE = 100;

    @TempDir
    Path dir;

    private ComponentServer xmpp;
    private TestUserAgent phone;
    private GatewayProcess gateway;
    private Path config;
    private int sipPort;

    @BeforeEach
    void start() throws IOException {
        xmpp = ComponentServer.start("sip.xmpp.test", "restart-secret");
        phone = TestUserAgent.start("127.0.0.1");
        int sipPort = TestUserAgent.freePort("127.0.0.1");
        config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                xmpp:
                  component: {host: 127.0.0.1, port: %d, domain: sip.xmpp.test, secret: restart-secret,
                              reconnect: {initial: 100ms, max: 500ms}}
                  domains: [xmpp.test]
                sip:
                  listen: {address: 127.0.0.1, port: %d}
                  routes:
                    - {domain: routed.test, host: 127.0.0.1, port: %d, transport: udp}
                store: {type: embedded, data-dir: "%s"}
                presence: {restore-rate: %d, coalesce: 0s}
                """.formatted(xmpp.port(), sipPort, phone.port(), dir.resolve("data").toString(), RESTORE_RATE));
        this.sipPort = sipPort;
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (gateway != null) {
            gateway.kill();
        }
        EndToEnd.closeAll(phone, xmpp);
    }

    private void startGateway(String log) throws IOException {
        gateway = GatewayProcess.start(config, dir.resolve(log));
        xmpp.awaitConnected(START);
    }

    private static String header(Request r, String name) {
        return r.getHeader(name) == null ? null : r.getHeader(name).toString().substring(name.length() + 1).trim();
    }

    private static String callId(Request r) {
        return ((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId();
    }

    private static String contact(int i) {
        return "bob" + i + "\\40routed.test@sip.xmpp.test";
    }

    @Test
    void aKilledGatewayKeepsEverySubscriptionAndRefreshesThemUnderTheRate() throws Exception {
        // Answer every SUBSCRIBE 200 (the phone plays 500 SIP contacts and 500 SIP watchers' notifier side).
        phone.answerWith(r -> new TestUserAgent.Answer(200, "OK", Map.of(
                "Expires", "0".equals(header(r, "Expires")) ? "0" : "3600",
                "Contact", "<sip:contact@127.0.0.1:" + phone.port() + ">"), Optional.of("t-" + callId(r).hashCode())));
        startGateway("first.log");

        // XMPP users watch SIP contacts: alice<i> -> bob<i>@routed.test, each answered with NOTIFY active.
        for (int i = 0; i < EACH_WAY; i++) {
            xmpp.send("<presence type='subscribe' from='alice" + i + "@xmpp.test' to='" + contact(i) + "'/>");
        }
        // Each NOTIFY goes out as soon as its SUBSCRIBE arrives, as a real notifier's does: the gateway
        // gives up on a subscription whose first NOTIFY is later than Timer N (32 s, RFC 6665 §4.1.2.4),
        // and 500 NOTIFYs sent one after another took longer than that on a loaded machine.
        Map<String, Request> contactSubscribes = new HashMap<>();
        List<CompletableFuture<Response>> notifies = new ArrayList<>();
        ExecutorService notifiers = Executors.newFixedThreadPool(4);
        try {
            while (contactSubscribes.size() < EACH_WAY) {
                Request s = phone.awaitRequest(WAIT).request();
                if (s.getMethod().equals(Request.SUBSCRIBE) && contactSubscribes.put(callId(s), s) == null) {
                    String tag = "t-" + callId(s).hashCode();
                    Request notify = phone.notifyFor(s, tag, 1, "active;expires=3600",
                            pidf(((ToHeader) s.getHeader(ToHeader.NAME)).getAddress().getURI().toString(), "first"), "udp");
                    notifies.add(CompletableFuture.supplyAsync(() -> phone.send(notify, WAIT), notifiers));
                }
            }
            for (CompletableFuture<Response> ok : notifies) {
                assertThat(ok.get(WAIT.toSeconds() * 2, TimeUnit.SECONDS).getStatusCode()).isEqualTo(200);
            }
        } finally {
            notifiers.shutdownNow();
        }
        awaitStanzas("presence", "subscribed", EACH_WAY);

        // SIP watchers watch XMPP users: carol<i>@routed.test -> dave<i>@xmpp.test, approved.
        Map<String, Request> watcherSubscribes = new HashMap<>();
        for (int i = 0; i < EACH_WAY; i++) {
            Request s = phone.request(Request.SUBSCRIBE, "sip:dave" + i + "@xmpp.test", "<sip:carol" + i + "@routed.test>",
                    "<sip:dave" + i + "@xmpp.test>");
            phone.with(s, "Event", "presence");
            phone.with(s, "Expires", "3600");
            phone.with(s, "Contact", "<sip:carol" + i + "@127.0.0.1:" + phone.port() + ">");
            phone.with(s, "Route", "<sip:127.0.0.1:" + sipPort + ";lr>");
            assertThat(phone.send(s, WAIT).getStatusCode()).isEqualTo(200);
            watcherSubscribes.put(callId(s), s);
        }
        awaitStanzas("presence", "subscribe", EACH_WAY);
        for (int i = 0; i < EACH_WAY; i++) {
            xmpp.send("<presence type='subscribed' from='dave" + i + "@xmpp.test' to='carol" + i
                    + "\\40routed.test@sip.xmpp.test'/>");
        }
        // The pending and the active NOTIFY of each watcher's dialog.
        Set<String> active = new HashSet<>();
        long deadline = System.nanoTime() + WAIT.toNanos() * 3;
        while (active.size() < EACH_WAY && System.nanoTime() < deadline) {
            Request r = phone.awaitRequest(WAIT).request();
            if (r.getMethod().equals(Request.NOTIFY) && header(r, "Subscription-State").startsWith("active")) {
                active.add(callId(r));
            }
        }
        assertThat(active).hasSize(EACH_WAY);

        // kill -9, and start again on the same store.
        gateway.kill();
        xmpp.awaitDisconnected(START);
        phone.reset();
        phone.answerWith(r -> new TestUserAgent.Answer(200, "OK", Map.of(
                "Expires", "0".equals(header(r, "Expires")) ? "0" : "3600",
                "Contact", "<sip:contact@127.0.0.1:" + phone.port() + ">")));
        long restartedAt = System.nanoTime();
        startGateway("second.log");

        // Every SIP subscription is refreshed in its own dialog, paced under the restore rate.
        List<Long> refreshTimes = new ArrayList<>();
        Set<String> refreshed = new HashSet<>();
        deadline = System.nanoTime() + WAIT.toNanos() * 3;
        while (refreshed.size() < EACH_WAY && System.nanoTime() < deadline) {
            TestUserAgent.Received received = phone.awaitRequest(WAIT);
            Request r = received.request();
            if (r.getMethod().equals(Request.SUBSCRIBE)) {
                assertThat(contactSubscribes).containsKey(callId(r));
                assertThat(((ToHeader) r.getHeader(ToHeader.NAME)).getTag()).isNotNull();
                refreshed.add(callId(r));
                refreshTimes.add(received.receivedNanos());
            }
        }
        assertThat(refreshed).hasSize(EACH_WAY);
        assertThat(maxInAnySecond(refreshTimes)).isLessThanOrEqualTo(RESTORE_RATE + RESTORE_RATE / 10);
        double seconds = (refreshTimes.get(refreshTimes.size() - 1) - restartedAt) / 1e9;
        System.out.printf("restart: %d refreshes in %.1f s after start, at most %d in any second (limit %d)%n",
                EACH_WAY, seconds, maxInAnySecond(refreshTimes), RESTORE_RATE);

        // The XMPP users' next presence reaches every SIP watcher, in its dialog.
        for (int i = 0; i < EACH_WAY; i++) {
            xmpp.send("<presence from='dave" + i + "@xmpp.test/desk' to='carol" + i
                    + "\\40routed.test@sip.xmpp.test'><status>after restart</status></presence>");
        }
        Set<String> notified = new HashSet<>();
        deadline = System.nanoTime() + WAIT.toNanos() * 3;
        while (notified.size() < EACH_WAY && System.nanoTime() < deadline) {
            Request r = phone.awaitRequest(WAIT).request();
            if (r.getMethod().equals(Request.NOTIFY)
                    && new String(r.getRawContent(), StandardCharsets.UTF_8).contains("after restart")) {
                assertThat(watcherSubscribes).containsKey(callId(r));
                notified.add(callId(r));
            }
        }
        assertThat(notified).hasSize(EACH_WAY);

        // The SIP contacts' next NOTIFY reaches every XMPP user.
        for (Request s : contactSubscribes.values()) {
            String tag = "t-" + callId(s).hashCode();
            Response ok = phone.send(phone.notifyFor(s, tag, 2, "active;expires=3600",
                    pidf(((ToHeader) s.getHeader(ToHeader.NAME)).getAddress().getURI().toString(), "second"), "udp"), WAIT);
            assertThat(ok.getStatusCode()).isEqualTo(200);
        }
        Set<String> seenBy = new HashSet<>();
        deadline = System.nanoTime() + WAIT.toNanos() * 3;
        while (seenBy.size() < EACH_WAY && System.nanoTime() < deadline) {
            Optional<XmlElement> e = xmpp.poll(Duration.ofMillis(500));
            if (e.isPresent() && e.get().name().equals("presence") && e.get().attribute("type").isEmpty()
                    && e.get().children().stream().anyMatch(c -> c.name().equals("status") && c.text().equals("second"))) {
                seenBy.add(e.get().attribute("to").orElseThrow());
            }
        }
        assertThat(seenBy).hasSize(EACH_WAY);
    }

    private void awaitStanzas(String name, String type, int count) {
        int seen = 0;
        long deadline = System.nanoTime() + WAIT.toNanos() * 3;
        while (seen < count && System.nanoTime() < deadline) {
            Optional<XmlElement> e = xmpp.poll(Duration.ofMillis(500));
            if (e.isPresent() && e.get().name().equals(name) && e.get().attribute("type").orElse("").equals(type)) {
                seen++;
            }
        }
        assertThat(seen).as("<%s type='%s'/> stanzas", name, type).isEqualTo(count);
    }

    private static int maxInAnySecond(List<Long> times) {
        int max = 0;
        int start = 0;
        for (int end = 0; end < times.size(); end++) {
            while (times.get(end) - times.get(start) >= 1_000_000_000L) {
                start++;
            }
            max = Math.max(max, end - start + 1);
        }
        return max;
    }

    private static byte[] pidf(String entity, String note) {
        return ("<?xml version='1.0' encoding='UTF-8'?><presence xmlns='urn:ietf:params:xml:ns:pidf' entity='"
                + entity + "'><tuple id='t1'><status><basic>open</basic></status><note>" + note
                + "</note></tuple></presence>").getBytes(StandardCharsets.UTF_8);
    }
}
