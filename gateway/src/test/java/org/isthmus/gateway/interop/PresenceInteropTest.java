package org.isthmus.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

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
 * The presence mirror against real peers (issues 5 and 6): Prosody from Debian with Isthmus as its
 * XEP-0114 component and slixmpp clients for its users on one side; on the other SIPp as the SIP user
 * agents, and Kamailio 5.6 as the presence server of sip.test ({@link KamailioServer#startWithPresence}).
 * Each direction of RFC 8048 end to end through Prosody's roster logic, once straight between SIPp and
 * Isthmus (the SIP users of phone.test, routed to a SIPp notifier) and once with Kamailio in front
 * (it answers Isthmus's SUBSCRIBEs for sip.test from what its users PUBLISHed, and relays a sip.test
 * watcher's SUBSCRIBE to Isthmus, record-routed); and the two refusals a SIP watcher can meet.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PresenceInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Long enough for every step a test takes while its SIPp runs beside it. */
    private static final Duration SIPP_RUN = Duration.ofSeconds(60);
    /** SIP users reached straight from Isthmus, by a static route to the SIPp notifier. */
    private static final String PHONE_DOMAIN = "phone.test";
    /** One XMPP user per test, so that no roster state of one test meets another. */
    private static final Map<String, String> USERS = Map.of("alice", "alice-pw", "carol", "carol-pw",
            "erin", "erin-pw", "frank", "frank-pw");

    private ProsodyServer prosody;
    private KamailioServer kamailio;
    private Gateway gateway;
    private int notifierPort;
    private int isthmusPort;

    @BeforeAll
    void start() {
        Peers.assumeInstalled("prosody", "sipp", "kamailio");
        Peers.assumePythonModule("slixmpp");
        prosody = ProsodyServer.start(USERS);
        notifierPort = Peers.freePort();
        isthmusPort = Peers.freePort();
        kamailio = KamailioServer.startWithPresence(isthmusPort);
        gateway = ProsodyGateway.start(prosody, isthmusPort, "", kamailio.isthmusRoute()
                + "    - {domain: %s, host: 127.0.0.1, port: %d, transport: udp}\n".formatted(PHONE_DOMAIN, notifierPort),
                WAIT);
    }

    @AfterAll
    void stop() {
        EndToEnd.closeAll(gateway, kamailio, prosody);
    }

    /** The JID of a SIP user under the gateway's component (XEP-0106 escaping), e.g. bob\40phone.test@sip.xmpp.test. */
    private String jidOf(String sipUser, String domain) {
        return sipUser + "\\40" + domain + "@" + prosody.componentDomain();
    }

    private static List<Sipp.TracedMessage> requests(List<Sipp.TracedMessage> messages, String method) {
        return messages.stream().filter(m -> method.equals(m.method().orElse(null))).toList();
    }

    // ---- An XMPP user watches a SIP user (RFC 8048 §5.2) ------------------------------------------

    @Test
    void aProsodyUserSubscribesToASipNotifierSeesItsStatusAndUnsubscribes() {
        String note = "Im Gespräch ☎ – bis 15 Uhr";
        String bob = jidOf("bob", PHONE_DOMAIN);
        try (XmppClientProcess alice = prosody.login("alice");
             Sipp.Running notifier = Sipp.scenario("uas_notifier.xml").withLocalPort(notifierPort)
                     .withKey("entity", "pres:bob@" + PHONE_DOMAIN).withInjection(note)
                     .withTimeout(SIPP_RUN).start()) {
            // Through Prosody's roster: ask=subscribe on alice's item for bob, then routed to the component.
            alice.sendPresence(bob, "subscribe");

            alice.nextPresence(bob, "subscribed", WAIT);
            JsonNode available = alice.nextPresence(bob, "available", WAIT);
            assertThat(available.path("status").asText()).isEqualTo(note);

            alice.sendPresence(bob, "unsubscribe");
            Sipp.Result seen = notifier.await(WAIT);
            assertThat(seen.succeeded()).as(seen.diagnostics()).isTrue();
            List<Sipp.TracedMessage> subscribes = requests(seen.received(), "SUBSCRIBE");
            assertThat(subscribes).as(seen.diagnostics()).hasSize(2);
            Sipp.TracedMessage first = subscribes.get(0);
            assertThat(first.startLine()).startsWith("SUBSCRIBE sip:bob@" + PHONE_DOMAIN);
            assertThat(first.header("Event")).hasValue("presence");
            assertThat(first.header("Accept")).hasValueSatisfying(a -> assertThat(a).contains("application/pidf+xml"));
            assertThat(first.header("From")).hasValueSatisfying(f -> assertThat(f).contains("sip:alice@xmpp.test"));
            // RFC 8048 §5.2.3: the XMPP unsubscribe ends the SIP subscription in its dialog.
            Sipp.TracedMessage last = subscribes.get(1);
            assertThat(last.header("Expires")).hasValue("0");
            assertThat(last.header("Call-ID")).isEqualTo(first.header("Call-ID"));
        }
    }

    @Test
    void aProsodyUserSeesTheStateASipUserPublishedToKamailioAndItsChanges() {
        String aor = kamailio.aor("bob");
        String bob = jidOf("bob", KamailioServer.SIP_DOMAIN);
        String etag = publish(aor, "Im Gespräch ☎", null);

        try (XmppClientProcess erin = prosody.login("erin")) {
            erin.sendPresence(bob, "subscribe");
            erin.nextPresence(bob, "subscribed", WAIT);
            // Kamailio's first NOTIFY carries what was published before anyone watched.
            JsonNode first = erin.nextPresence(bob, "available", WAIT);
            assertThat(first.path("status").asText()).isEqualTo("Im Gespräch ☎");
            String fromIsthmus = "presence server: SUBSCRIBE for " + aor + " from 127.0.0.1:" + isthmusPort;
            awaitKamailioLog(fromIsthmus);

            // A change of the same publication (SIP-If-Match) reaches her as a NOTIFY and new presence.
            publish(aor, "Zurück am Platz", etag);
            JsonNode changed = erin.nextPresence(bob, "available", WAIT);
            assertThat(changed.path("status").asText()).isEqualTo("Zurück am Platz");

            // RFC 8048 §5.2.3: her unsubscribe ends the subscription at Kamailio (SUBSCRIBE, Expires: 0).
            erin.sendPresence(bob, "unsubscribe");
            awaitKamailioLog(fromIsthmus + ", Expires 0");
        }
    }

    /** SIPp PUBLISHes a note for {@code aor} to Kamailio: a new publication, or a change of {@code etag}'s. */
    private String publish(String aor, String note, String etag) {
        Sipp sipp = Sipp.scenario("uac_publish.xml").withRemote(kamailio.port()).withKey("aor", aor).withInjection(note);
        Sipp.Result published = (etag == null ? sipp : sipp.withVariable("etag", etag)).run();
        assertThat(published.succeeded()).as(published.diagnostics() + "\n" + kamailio.diagnostics()).isTrue();
        assertThat(published.finalStatus()).hasValue(200);
        Sipp.TracedMessage ok = published.received().get(published.received().size() - 1);
        return ok.header("SIP-ETag").orElseThrow(() -> new AssertionError("no SIP-ETag\n" + published.diagnostics()));
    }

    /** Waits, bounded, until Kamailio's log has a line containing {@code text}; fails with its tail. */
    private void awaitKamailioLog(String text) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                if (Files.readString(kamailio.logFile(), StandardCharsets.ISO_8859_1).contains(text)) {
                    return;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            assertThat(System.nanoTime()).as("'%s' in Kamailio's log%n%s", text, kamailio.diagnostics())
                    .isLessThan(deadline);
            Peers.sleep(Duration.ofMillis(50));
        }
    }

    // ---- A SIP user watches an XMPP user (RFC 8048 §5.3) ------------------------------------------

    @Test
    void aSipWatcherIsApprovedByTheProsodyUserSeesHerStatusAndHerGoingOffline() {
        String status = "in a meeting";
        XmppClientProcess carol = prosody.login("carol");
        try (Sipp.Running watcher = watcher(isthmusPort, "sip:dave@" + PHONE_DOMAIN, "sip:carol@xmpp.test").start()) {
            Sipp.Result seen = approveSetStatusAndLogOut(watcher, carol, jidOf("dave", PHONE_DOMAIN), "away", status);

            List<Sipp.TracedMessage> notifies = assertWatched(seen, status);
            // RFC 8048 §6.2: show "away" becomes the RPID activity "away" of the person.
            assertThat(notifies).anySatisfy(n -> assertThat(n.body()).contains(status).containsPattern("<(\\w+:)?away/>"));
        } finally {
            carol.close();
        }
    }

    @Test
    void aSipWatcherBehindKamailioFollowsAProsodyUserThroughTheRecordRoutedDialog() {
        String status = "auf Dienstreise";
        XmppClientProcess frank = prosody.login("frank");
        try (Sipp.Running watcher = watcher(kamailio.port(), kamailio.aor("dave"), "sip:frank@xmpp.test").start()) {
            Sipp.Result seen = approveSetStatusAndLogOut(watcher, frank, jidOf("dave", KamailioServer.SIP_DOMAIN),
                    "dnd", status);

            List<Sipp.TracedMessage> notifies = assertWatched(seen, status);
            // Every NOTIFY came back through Kamailio (its Via above Isthmus's), following the route set
            // that its Record-Route on the SUBSCRIBE gave Isthmus (RFC 3261 §12.1.2, §16.12).
            String kamailioVia = "SIP/2.0/UDP 127.0.0.1:" + kamailio.port();
            assertThat(notifies).allSatisfy(n -> assertThat(n.header("Via")).hasValueSatisfying(v ->
                    assertThat(v).startsWith(kamailioVia)));
            Sipp.TracedMessage unsubscribe = requests(seen.sent(), "SUBSCRIBE").get(1);
            assertThat(unsubscribe.header("Route")).hasValueSatisfying(r ->
                    assertThat(r).contains("127.0.0.1:" + kamailio.port()));
        } finally {
            frank.close();
        }
    }

    /** SIPp's uac_subscribe.xml as a watcher of {@code presentity}, sending to 127.0.0.1:port. */
    private static Sipp watcher(int port, String watcher, String presentity) {
        return Sipp.scenario("uac_subscribe.xml").withRemote(port)
                .withKey("from_uri", watcher).withKey("to_uri", presentity)
                .withKey("event", "presence").withTimeout(SIPP_RUN);
    }

    /**
     * The user's side while SIPp watches: the request reaches her client (Prosody keeps it pending-in
     * and delivers it), she approves it, sets {@code show} and {@code status}, and once SIPp has seen
     * that status she logs out. Returns SIPp's result after it has un-subscribed.
     */
    private static Sipp.Result approveSetStatusAndLogOut(Sipp.Running sipp, XmppClientProcess user, String watcherJid,
                                                         String show, String status) {
        user.nextPresence(watcherJid, "subscribe", WAIT);
        user.sendPresence(watcherJid, "subscribed");
        user.setPresence(show, status);
        // Waited for on SIPp's side, so that logging out cannot overtake the status it is to see.
        sipp.awaitMessage(m -> isNotify(m) && m.body().contains(status), "NOTIFY with the status " + status, WAIT);
        // Offline: Prosody sends her unavailable presence to every contact with a subscription from her.
        user.close();
        return sipp.await(WAIT);
    }

    /**
     * What the watcher must have seen (RFC 8048 §5.3, §6.2): 200 to its SUBSCRIBE; NOTIFY pending
     * without presence; nothing closed until the user's status in an active NOTIFY with an open PIDF
     * (RFC 6121 §3.1.3: the "unavailable" by which her server acknowledges the request is no presence);
     * later a closed PIDF; after its un-SUBSCRIBE (Expires: 0) a terminated NOTIFY. Returns the NOTIFYs.
     */
    private static List<Sipp.TracedMessage> assertWatched(Sipp.Result seen, String status) {
        assertThat(seen.succeeded()).as(seen.diagnostics()).isTrue();
        List<Sipp.TracedMessage> notifies = seen.received().stream().filter(PresenceInteropTest::isNotify).toList();
        assertThat(notifies).as(seen.diagnostics()).hasSizeGreaterThanOrEqualTo(4);
        Sipp.TracedMessage pending = notifies.get(0);
        assertThat(pending.header("Subscription-State")).hasValueSatisfying(s -> assertThat(s).startsWith("pending"));
        assertThat(pending.body()).as("RFC 8048 §5.3.1: no presence before approval").isEmpty();

        int meeting = indexOf(notifies, n -> n.body().contains(status));
        Sipp.TracedMessage withStatus = notifies.get(meeting);
        assertThat(withStatus.header("Subscription-State")).hasValueSatisfying(s -> assertThat(s).startsWith("active"));
        assertThat(withStatus.header("Content-Type")).hasValue("application/pidf+xml");
        assertThat(withStatus.body()).contains("<basic>open</basic>", "<note>" + status + "</note>");
        assertThat(notifies.subList(0, meeting)).as("nothing closed before the status: %s", seen.diagnostics())
                .noneMatch(n -> n.body().contains("<basic>closed</basic>"));

        int closed = indexOf(notifies, n -> n.body().contains("<basic>closed</basic>"));
        assertThat(closed).as(seen.diagnostics()).isGreaterThan(meeting);
        assertThat(notifies.get(closed).header("Subscription-State"))
                .hasValueSatisfying(s -> assertThat(s).startsWith("active"));

        List<Sipp.TracedMessage> subscribes = requests(seen.sent(), "SUBSCRIBE");
        assertThat(subscribes).hasSize(2);
        assertThat(subscribes.get(1).header("Expires")).hasValue("0");
        assertThat(notifies.get(notifies.size() - 1).header("Subscription-State"))
                .hasValueSatisfying(s -> assertThat(s).startsWith("terminated"));
        return notifies;
    }

    private static boolean isNotify(Sipp.TracedMessage message) {
        return "NOTIFY".equals(message.method().orElse(null));
    }

    private static int indexOf(List<Sipp.TracedMessage> messages, Predicate<Sipp.TracedMessage> wanted) {
        for (int i = 0; i < messages.size(); i++) {
            if (wanted.test(messages.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such message among " + messages.size());
    }

    // ---- Wrong turns ----------------------------------------------------------------------------

    private Sipp.Result subscribeOnce(String to, String event) {
        return Sipp.scenario("uac_subscribe.xml").withRemote(isthmusPort)
                .withKey("from_uri", "sip:gil@" + PHONE_DOMAIN).withKey("to_uri", to)
                .withKey("event", event).run();
    }

    @Test
    void aSubscribeForAnotherEventPackageGets489WithTheOnesServed() {
        Sipp.Result refused = subscribeOnce("sip:alice@xmpp.test", "dialog");

        assertThat(refused.succeeded()).as(refused.diagnostics()).isTrue();
        // RFC 6665 §8.3.2: 489 Bad Event, with Allow-Events naming the packages the notifier has.
        assertThat(refused.finalStatus()).hasValue(489);
        Sipp.TracedMessage response = refused.received().get(refused.received().size() - 1);
        assertThat(response.header("Allow-Events")).hasValueSatisfying(a -> assertThat(a).contains("presence"));
    }

    @Test
    void aSubscribeForAnUnknownXmppDomainGets604() {
        Sipp.Result refused = subscribeOnce("sip:alice@elsewhere.test", "presence");

        assertThat(refused.succeeded()).as(refused.diagnostics()).isTrue();
        // RFC 7247 §7.1: item-not-found for an address no domain here serves is 604 Does Not Exist Anywhere.
        assertThat(refused.finalStatus()).hasValue(604);
    }
}
