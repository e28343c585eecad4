package org.isthmus.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import org.isthmus.gateway.EndToEnd;
import org.isthmus.gateway.Gateway;

/**
 * Issue 9's abuse limits against real peers: SIPp sends a storm of 1,000 SUBSCRIBEs from one source
 * address, as fast as it can up to 250 a second, to a Prosody user behind Isthmus (its XEP-0114
 * component). The per-source limit (5 a second, burst 5) lets through what the buckets allow; every
 * other SUBSCRIBE gets 503 with Retry-After (RFC 3261 §21.5.4, §20.33), and the admitted ones the
 * RFC 3856 §6.6 answer for a watcher nobody authorized, NOTIFY pending without a body. The gateway's
 * threads and subscriptions stay bounded, and /metrics counts what was refused. The rate is low
 * because every admitted SUBSCRIBE is for one user, whose events the mirror handles in order: what
 * the limit lets through must be answered within the SIP edge's 10 s, even on a loaded machine.
 * From XMPP, a Prosody user (slixmpp) over her own message limit gets {@code resource-constraint}
 * errors of type {@code wait} (RFC 6120 §8.3.3.18) through Prosody. A REGISTER storm from SIPp to
 * the built-in registrar is cut down to the per-source registration limit, and one address of record
 * registered again and again to its own limit, each with 503 and Retry-After.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AbuseLimitsInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int CALLS = 1000;
    private static final double RATE = 5;
    private static final int BURST = 5;

    private ProsodyServer prosody;
    private Gateway gateway;
    private int isthmusPort;

    @BeforeAll
    void start() {
        Peers.assumeInstalled("prosody", "sipp");
        prosody = ProsodyServer.start(Map.of("alice", "alice-pw"));
        isthmusPort = Peers.freePort();
        gateway = ProsodyGateway.start(prosody, isthmusPort, "", """
                  registrar: {domains: [phone.test]}
                limits:
                  sip-source: {subscriptions: {rate: 5/s, burst: 5}, registrations: {rate: 5/s, burst: 5}}
                  sip-aor: {registrations: {rate: 1/m, burst: 2}}
                  xmpp-user: {messages: {rate: 1/m, burst: 2}}
                admin: {address: 127.0.0.1, port: 0}
                """, WAIT);
    }

    @AfterAll
    void stop() {
        EndToEnd.closeAll(gateway, prosody);
    }

    @Test
    void aSubscribeStormFromOneSourceIsCutDownTo503WithRetryAfterAndNothingLeaks() throws Exception {
        int threadsBefore = Thread.activeCount();
        long started = System.nanoTime();
        Sipp.Result storm = Sipp.scenario("uac_subscribe_storm.xml").withRemote(isthmusPort)
                .withTimeout(Duration.ofSeconds(90))
                .withKey("to_uri", "sip:alice@" + prosody.domain()).withKey("from_domain", "phone.test")
                .withArguments("-aa", "-r", "250", "-m", Integer.toString(CALLS), "-l", "400")
                .run();
        double seconds = (System.nanoTime() - started) / 1e9;
        int threadsAfter = Thread.activeCount();

        // Retransmitted SUBSCRIBEs get the same answer again: count calls, by Call-ID.
        List<Sipp.TracedMessage> finals = storm.received().stream()
                .filter(m -> m.status().isPresent() && m.status().getAsInt() >= 200).toList();
        long refused = finals.stream().filter(m -> m.status().getAsInt() == 503).map(AbuseLimitsInteropTest::callId)
                .distinct().count();
        long admitted = finals.stream().filter(m -> m.status().getAsInt() == 200).map(AbuseLimitsInteropTest::callId)
                .distinct().count();
        System.out.printf("SUBSCRIBE storm: %d calls in %.1f s, %d admitted (200), %d refused (503), "
                + "threads %d -> %d%n", CALLS, seconds, admitted, refused, threadsBefore, threadsAfter);

        assertThat(storm.succeeded()).as(storm.diagnostics()).isTrue();
        assertThat(admitted + refused).as("one final response per call").isEqualTo(CALLS);
        // The buckets hold BURST and refill at RATE for as long as the storm lasted, no more.
        assertThat(admitted).isGreaterThanOrEqualTo(BURST).isLessThanOrEqualTo((long) (BURST + RATE * seconds) + 1);
        assertThat(refused).isGreaterThanOrEqualTo(CALLS - (long) (BURST + RATE * seconds) - 1);
        assertThat(finals).filteredOn(m -> m.status().getAsInt() == 503)
                .allSatisfy(m -> assertThat(m.text()).containsPattern("(?m)^Retry-After: *[1-9][0-9]*\\r?$"));
        // Privacy: no admitted watcher saw a presence document (RFC 3856 §6.6, pending until authorized).
        List<Sipp.TracedMessage> notifies = storm.received().stream()
                .filter(m -> "NOTIFY".equals(m.method().orElse(null))).toList();
        assertThat(notifies.stream().map(AbuseLimitsInteropTest::callId).distinct().count()).isEqualTo(admitted);
        assertThat(notifies).allSatisfy(m -> {
                    assertThat(m.text()).contains("Subscription-State: pending");
                    assertThat(m.text()).doesNotContain("<presence");
                });
        // Bounded: a fixed set of threads, one subscription per admitted SUBSCRIBE and none for the rest.
        assertThat(threadsAfter).isLessThanOrEqualTo(threadsBefore + 8);
        assertThat(gateway.sessions().subscriptions("phone.test")).hasSize((int) admitted);

        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + gateway.adminAddress().orElseThrow().getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher counted = Pattern.compile("(?m)^isthmus_policy_refused_total\\{kind=\"subscriptions\","
                + "scope=\"sip_source\",?} (\\S+)$").matcher(metrics);
        assertThat(counted.find()).as(metrics).isTrue();
        assertThat(Double.parseDouble(counted.group(1))).isEqualTo((double) refused);
        Matcher tracked = Pattern.compile("(?m)^isthmus_policy_tracked\\{scope=\"sip_source\",?} (\\S+)$")
                .matcher(metrics);
        assertThat(tracked.find()).as(metrics).isTrue();
        assertThat(Double.parseDouble(tracked.group(1))).isEqualTo(1.0);
    }

    @Test
    void anXmppUserOverHerMessageLimitGetsResourceConstraintOfTypeWait() {
        Peers.assumePythonModule("slixmpp");
        try (XmppClientProcess alice = prosody.login("alice")) {
            // A SIP user of a domain without a route: what passes the limit comes back as
            // remote-server-not-found, what does not as resource-constraint.
            String bob = "bob\\40nowhere.test@" + prosody.componentDomain();
            for (int i = 0; i < 6; i++) {
                alice.send(bob, "flood " + i);
            }
            int limited = 0;
            int routed = 0;
            for (int i = 0; i < 6; i++) {
                JsonNode reply = alice.nextMessage(WAIT);
                assertThat(reply.path("type").asText()).as(reply.toString()).isEqualTo("error");
                if (reply.path("error").path("condition").asText().equals("resource-constraint")) {
                    assertThat(reply.path("error").path("type").asText()).isEqualTo("wait");
                    limited++;
                } else {
                    assertThat(reply.path("error").path("condition").asText()).isEqualTo("remote-server-not-found");
                    routed++;
                }
            }
            assertThat(limited).isEqualTo(4);
            assertThat(routed).isEqualTo(2);
        }
    }

    private static final Pattern CALL_ID = Pattern.compile("(?mi)^(?:Call-ID|i): *(\\S+)");

    private static String callId(Sipp.TracedMessage message) {
        Matcher m = CALL_ID.matcher(message.text());
        return m.find() ? m.group(1) : "";
    }

    /** The value of a policy_refused series on /metrics, 0 before it exists. */
    private double refusedOnMetrics(String kind, String scope) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + gateway.adminAddress().orElseThrow().getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^isthmus_policy_refused_total\\{kind=\"" + kind + "\",scope=\"" + scope
                + "\",?} (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void aRegisterStormFromOneSourceIsCutDownTo503WithRetryAfter() throws Exception {
        double countedBefore = refusedOnMetrics("registrations", "sip_source");
        int calls = 300;
        long started = System.nanoTime();
        Sipp.Result storm = Sipp.scenario("uac_register_storm.xml").withRemote(isthmusPort)
                .withTimeout(Duration.ofSeconds(60))
                .withKey("user", "phone").withKey("domain", "phone.test")
                .withArguments("-r", "250", "-m", Integer.toString(calls), "-l", "300")
                .run();
        double seconds = (System.nanoTime() - started) / 1e9;

        List<Sipp.TracedMessage> finals = storm.received().stream()
                .filter(m -> m.status().isPresent() && m.status().getAsInt() >= 200).toList();
        long refused = finals.stream().filter(m -> m.status().getAsInt() == 503).map(AbuseLimitsInteropTest::callId)
                .distinct().count();
        long registered = finals.stream().filter(m -> m.status().getAsInt() == 200)
                .map(AbuseLimitsInteropTest::callId).distinct().count();
        System.out.printf("REGISTER storm: %d calls in %.1f s, %d registered (200), %d refused (503)%n", calls,
                seconds, registered, refused);

        assertThat(storm.succeeded()).as(storm.diagnostics()).isTrue();
        assertThat(registered + refused).as("one final response per call").isEqualTo(calls);
        assertThat(registered).isGreaterThanOrEqualTo(BURST).isLessThanOrEqualTo((long) (BURST + RATE * seconds) + 1);
        assertThat(finals).filteredOn(m -> m.status().getAsInt() == 503)
                .allSatisfy(m -> assertThat(m.text()).containsPattern("(?m)^Retry-After: *[1-9][0-9]*\\r?$"));
        assertThat(refusedOnMetrics("registrations", "sip_source") - countedBefore).isEqualTo((double) refused);
    }

    @Test
    void oneAddressOfRecordRegisteredAgainAndAgainGets503WithRetryAfterOnceItsBurstIsSpent() throws Exception {
        double countedBefore = refusedOnMetrics("registrations", "sip_aor");
        // Slower than the per-source rate (5/s), so only the address of record's limit (1/m, burst 2) bites.
        Peers.sleep(Duration.ofSeconds(2));
        List<Integer> statuses = new java.util.ArrayList<>();
        List<String> answers = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            // The registrar never sends to the contact: no phone needs to listen there.
            Sipp.Result r = Sipp.scenario("uac_register.xml").withRemote(isthmusPort)
                    .withKey("aor", "sip:bob@phone.test").withKey("registrar", "sip:phone.test")
                    .withKey("contact", "sip:bob@127.0.0.1:9").withKey("expires", "300")
                    .run();
            statuses.add(r.finalStatus().orElse(0));
            r.received().stream().filter(m -> m.status().isPresent() && m.status().getAsInt() >= 200)
                    .findFirst().ifPresent(m -> answers.add(m.text()));
            Peers.sleep(Duration.ofMillis(400));
        }

        assertThat(statuses).containsExactly(200, 200, 503, 503, 503);
        // Retry-After says when bob's bucket has a token again: tens of seconds at 1 a minute, where the
        // per-source bucket would have said 1.
        assertThat(answers.subList(2, 5)).allSatisfy(a -> {
            Matcher m = Pattern.compile("(?m)^Retry-After: *(\\d+)\\r?$").matcher(a);
            assertThat(m.find()).as(a).isTrue();
            assertThat(Integer.parseInt(m.group(1))).isBetween(2, 60);
        });
        assertThat(refusedOnMetrics("registrations", "sip_aor") - countedBefore).isEqualTo(3.0);
    }
}
