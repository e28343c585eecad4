package org.isthmus.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
 * The presence mirror (RFC 8048) against a real softphone: baresip 1.0 from Debian, registered with
 * Isthmus's own registrar for sip.test, and Prosody users through slixmpp. baresip's presence module
 * is watcher and notifier both (see {@link Baresip} for what it reads and writes): it SUBSCRIBEs to
 * the contacts marked {@code ;presence=p2p} and shows each as Online, Busy or Offline, and it accepts
 * every SUBSCRIBE for its own state, online or offline. Neither direction carries a note from
 * baresip's side: it shows none and sends none, so the status texts are checked on the wire.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BaresipPresenceInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String ALICE = "sip:alice@" + ProsodyServer.XMPP_DOMAIN;

    private ProsodyServer prosody;
    private Gateway gateway;
    private int sipPort;

    @BeforeAll
    void start() {
        Peers.assumeInstalled("prosody", "baresip");
        Peers.assumePythonModule("slixmpp");
        prosody = ProsodyServer.start();
        sipPort = Peers.freePort();
        gateway = ProsodyGateway.start(prosody, sipPort, "", "  registrar: {domains: [sip.test]}\n", WAIT);
    }

    @AfterAll
    void stop() {
        EndToEnd.closeAll(gateway, prosody);
    }

    /** The JID of a sip.test user under the gateway's component (XEP-0106 escaping). */
    private String jidOf(String sipUser) {
        return sipUser + "\\40sip.test@" + prosody.componentDomain();
    }

    // ---- baresip watches a Prosody user (RFC 8048 §5.3) -------------------------------------------

    @Test
    void baresipWatchesAProsodyUserBusyAwayOfflineAndBackUntilItQuits() {
        String dave = jidOf("dave");
        XmppClientProcess alice = prosody.login("alice");
        Baresip phone = null;
        try {
            phone = Baresip.start("sip:dave@sip.test", sipPort, List.of(), List.of(ALICE));
            // Its SUBSCRIBE becomes a subscription request in her client; she approves it.
            alice.nextPresence(dave, "subscribe", WAIT);
            alice.sendPresence(dave, "subscribed");
            phone.awaitContactPresence(ALICE, "Online", WAIT);

            // RFC 8048 §6.2: dnd is the RPID activity busy, away is away; baresip shows busy as Busy
            // and away as Offline (its own reading of <rpid:away/>).
            alice.setPresence("dnd", "Im Gespräch ☎");
            phone.awaitContactPresence(ALICE, "Busy", WAIT);
            alice.setPresence("away", "beim Mittagessen");
            phone.awaitContactPresence(ALICE, "Offline", WAIT);
            alice.setPresence(null, "zurück am Platz");
            phone.awaitContactPresence(ALICE, "Online", WAIT);

            // Logged out: Prosody sends her unavailable presence, a closed PIDF.
            alice.close();
            phone.awaitContactPresence(ALICE, "Offline", WAIT);
            assertThat(phone.presenceChanges(ALICE)).as(phone.diagnostics())
                    .containsExactly("Online > Busy", "Busy > Offline", "Offline > Online", "Online > Offline");

            // What baresip does not show went over the wire all the same: the notes, and open away
            // apart from closed offline.
            List<Baresip.TracedMessage> notifies = phone.receivedAll("NOTIFY ");
            assertThat(notifies).as(phone.diagnostics()).anySatisfy(n -> assertThat(n.body())
                    .contains("<basic>open</basic>", "<rpid:busy/>", "<note>Im Gespräch ☎</note>"));
            assertThat(notifies).anySatisfy(n -> assertThat(n.body())
                    .contains("<basic>open</basic>", "<rpid:away/>", "<note>beim Mittagessen</note>"));
            assertThat(notifies.get(notifies.size() - 1).body()).contains("<basic>closed</basic>");

            // She logs in again, with another resource: Online again, the closed tuple of the first one
            // left out (baresip reads the first <basic> of a document only).
            alice = prosody.login("alice");
            phone.awaitContactPresence(ALICE, "Online", WAIT);
            assertThat(phone.receivedAll("NOTIFY ")).last().satisfies(n -> assertThat(n.body())
                    .contains("<basic>open</basic>").doesNotContain("<basic>closed</basic>"));

            // baresip quits and ends its subscription (SUBSCRIBE Expires: 0); RFC 8048 §5.3.3 step 2
            // makes that unavailable presence from dave to her, the only presence she can get from him,
            // since she has no subscription to his.
            phone.close();
            alice.nextPresence(dave, "unavailable", WAIT);
        } finally {
            if (phone != null) {
                phone.close();
            }
            alice.close();
        }
    }

    // ---- A Prosody user watches baresip (RFC 8048 §5.2) --------------------------------------------

    @Test
    void aProsodyUserWatchesBaresipGoOfflineAndOnlineAndUnsubscribes() {
        String erin = jidOf("erin");
        try (XmppClientProcess carol = prosody.login("carol");
             Baresip phone = Baresip.start("sip:erin@sip.test", sipPort, List.of(), List.of())) {
            phone.awaitRegistered(WAIT);
            // baresip 1.0 starts with no state of its own, which it would NOTIFY as <basic>?</basic>.
            phone.setPresence(true);

            // Isthmus SUBSCRIBEs to erin at the contact she registered; baresip accepts at once.
            carol.sendPresence(erin, "subscribe");
            carol.nextPresence(erin, "subscribed", WAIT);
            JsonNode online = carol.nextPresence(erin, "available", WAIT);
            assertThat(online.path("status").textValue()).as("baresip sends no note").isNull();
            Baresip.TracedMessage subscribe = phone.awaitReceived("SUBSCRIBE ", WAIT);
            assertThat(subscribe.head()).startsWith("SUBSCRIBE sip:erin-")
                    .contains("\r\nEvent: presence\r\n", "\r\nFrom: <sip:carol@xmpp.test>");

            phone.setPresence(false);
            carol.nextPresence(erin, "unavailable", WAIT);
            phone.setPresence(true);
            carol.nextPresence(erin, "available", WAIT);

            // RFC 8048 §5.2.3: her unsubscribe ends the SIP subscription in its dialog, and (RFC 6121
            // §3.3.3) erin is unavailable to her from then on.
            carol.sendPresence(erin, "unsubscribe");
            awaitUnsubscribe(phone, subscribe);
            carol.nextPresence(erin, "unavailable", WAIT);
        }
    }

    /** Waits (bounded) for a SUBSCRIBE with Expires: 0 in the dialog {@code first} began. */
    private static void awaitUnsubscribe(Baresip phone, Baresip.TracedMessage first) {
        String callId = header(first, "Call-ID");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<Baresip.TracedMessage> subscribes = phone.receivedAll("SUBSCRIBE ");
            if (subscribes.stream().anyMatch(s -> callId.equals(header(s, "Call-ID"))
                    && "0".equals(header(s, "Expires")))) {
                return;
            }
            assertThat(System.nanoTime()).as("un-SUBSCRIBE at baresip%n%s", phone.diagnostics()).isLessThan(deadline);
            Peers.sleep(Duration.ofMillis(50));
        }
    }

    private static String header(Baresip.TracedMessage message, String name) {
        return message.head().lines().filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                .map(l -> l.substring(name.length() + 1).strip()).findFirst().orElse("");
    }
}
