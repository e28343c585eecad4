package org.isthmus.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
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
import org.isthmus.gateway.e2e.SmimeObjects;
import org.isthmus.gateway.e2e.SmimeObjects.Keys;
import org.isthmus.gateway.e2e.SmimeObjects.Party;

/**
 * RFC 3923 §4 secured presence through real peers, both ways. Prosody with slixmpp clients on the
 * XMPP side and Isthmus as its component with {@code e2e: {verify: tag}}; on the SIP side a SIPp watcher
 * behind Kamailio (which record-routes its subscription and logs the octets of every NOTIFY body it
 * relays, in base64: SIPp's own trace stops at a NUL octet), and a SIPp notifier reached straight.
 * Objects are made with Bouncy Castle here: PIDF documents signed, encrypted, and signed then encrypted,
 * with RSA and EC keys. The far end, given the exact octets its peer received, verifies and decrypts
 * them; an object changed after signing fails there; a PIDF whose entity is not its sender is refused
 * on the way, and a secured presence for a contact that holds no subscription is refused, not dropped.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class E2ePresenceInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Long enough for every step a test takes while its SIPp runs beside it. */
    private static final Duration SIPP_RUN = Duration.ofSeconds(60);
    /** SIP users reached straight from Isthmus, by a static route to the SIPp notifier. */
    private static final String PHONE_DOMAIN = "phone.test";
    /** One XMPP user per test, so that no roster state of one test meets another. */
    private static final Map<String, String> USERS = Map.of("alice", "alice-pw", "carol", "carol-pw",
            "erin", "erin-pw", "frank", "frank-pw");

    private final Party ca = SmimeObjects.ca();
    private final Party aliceRsa = SmimeObjects.user("im:alice@xmpp.test", Keys.RSA, ca);
    private final Party aliceEc = SmimeObjects.user("im:alice@xmpp.test", Keys.EC, ca);
    private final Party daveRsa = SmimeObjects.user("sip:dave@sip.test", Keys.RSA, ca);
    private final Party daveEc = SmimeObjects.user("sip:dave@sip.test", Keys.EC, ca);
    private final Party bobEc = SmimeObjects.user("sip:bob@phone.test", Keys.EC, ca);

    private ProsodyServer prosody;
    private KamailioServer kamailio;
    private Gateway gateway;
    private int notifierPort;

    @BeforeAll
    void start() throws IOException {
        Peers.assumeInstalled("prosody", "sipp", "kamailio");
        Peers.assumePythonModule("slixmpp");
        Path trust = Peers.workDirectory("e2e-presence-trust").resolve("trust.pem");
        Files.writeString(trust, SmimeObjects.pem(ca.certificate()), StandardCharsets.US_ASCII);
        prosody = ProsodyServer.start(USERS);
        notifierPort = Peers.freePort();
        int isthmusPort = Peers.freePort();
        kamailio = KamailioServer.startWithPresence(isthmusPort);
        gateway = ProsodyGateway.start(prosody, isthmusPort, "", kamailio.isthmusRoute()
                + "    - {domain: %s, host: 127.0.0.1, port: %d, transport: udp}\n".formatted(PHONE_DOMAIN, notifierPort)
                + "e2e: {verify: tag, trust-store: '" + trust + "'}\n", WAIT);
    }

    @AfterAll
    void stop() {
        EndToEnd.closeAll(gateway, kamailio, prosody);
    }

    /** The JID of a SIP user under the gateway's component (XEP-0106), e.g. dave\40sip.test@sip.xmpp.test. */
    private String jidOf(String sipUser, String domain) {
        return sipUser + "\\40" + domain + "@" + prosody.componentDomain();
    }

    /** The {@code <e2e/>} text of an enveloped object: base64, as XML cannot carry its octets (RFC 3923 §6.4). */
    private static String envelopedE2e(byte[] der) {
        return "Content-Type: " + SmimeObjects.envelopedType() + "\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(der) + "\r\n";
    }

    /** The body of a MIME entity: what follows its first blank line. */
    private static byte[] bodyOf(byte[] entity) {
        return new String(entity, StandardCharsets.ISO_8859_1).split("\r\n\r\n", 2)[1]
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The NOTIFY bodies Kamailio logged for this Call-ID, one per CSeq (a retransmission is logged again),
     * once every one of {@code expected} is among them: each found is the logged octets that equal it.
     * Waits at most {@link #WAIT}.
     */
    private List<byte[]> notifyBodiesKamailioRelayed(String callId, List<byte[]> expected) {
        Pattern line = Pattern.compile("NOTIFY body \\(Call-ID " + Pattern.quote(callId)
                + ", CSeq (\\d+)\\): ([A-Za-z0-9+/=]+)");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Map<String, byte[]> byCseq = new LinkedHashMap<>();
            try {
                Matcher m = line.matcher(Files.readString(kamailio.logFile(), StandardCharsets.ISO_8859_1));
                while (m.find()) {
                    byCseq.putIfAbsent(m.group(1), Base64.getDecoder().decode(m.group(2)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<byte[]> found = new ArrayList<>();
            for (byte[] wanted : expected) {
                byCseq.values().stream().filter(b -> Arrays.equals(b, wanted)).findFirst().ifPresent(found::add);
            }
            if (found.size() == expected.size()) {
                return found;
            }
            assertThat(System.nanoTime()).as("Kamailio relayed %d secured NOTIFY bodies of %s (found %d of %d bodies)%n%s",
                    expected.size(), callId, found.size(), byCseq.size(), kamailio.diagnostics()).isLessThan(deadline);
            Peers.sleep(Duration.ofMillis(100));
        }
    }

    /** Every event the client reports within {@code window} (at most 50). */
    private static List<JsonNode> eventsWithin(XmppClientProcess client, Duration window) {
        List<JsonNode> events = new ArrayList<>();
        long deadline = System.nanoTime() + window.toNanos();
        for (int i = 0; i < 50; i++) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            client.pollEvent(Duration.ofNanos(left)).filter(e -> e.has("event")).ifPresent(events::add);
        }
        return events;
    }

    private static boolean isNotify(Sipp.TracedMessage message) {
        return "NOTIFY".equals(message.method().orElse(null));
    }

    // ---- From XMPP to SIP ------------------------------------------------------------------------

    @Test
    void securedPresenceReachesTheSipWatcherInItsDialogByteForByteAndVerifiesAndDecryptsThere() {
        String daveJid = jidOf("dave", KamailioServer.SIP_DOMAIN);
        byte[] signedRsa = SmimeObjects.signed(SmimeObjects.pidf("pres:alice@xmpp.test", "in the orchard"), aliceRsa);
        byte[] signedEntity = E2eInteropTest.entity(SmimeObjects.signedType(),
                SmimeObjects.signed(SmimeObjects.pidf("pres:alice@xmpp.test", "on the balcony"), aliceEc));
        byte[] signedThenEncryptedEc = SmimeObjects.enveloped(signedEntity, daveEc);
        byte[] pidf = SmimeObjects.pidf("pres:alice@xmpp.test", "retired to the chamber");
        byte[] encryptedRsa = SmimeObjects.enveloped(pidf, daveRsa);
        byte[] tampered = SmimeObjects.flipped(
                SmimeObjects.signed(SmimeObjects.pidf("pres:alice@xmpp.test", "wherefore"), aliceRsa), "wherefore");

        XmppClientProcess alice = prosody.login("alice");
        // Over TCP: a NOTIFY with an object is over 1300 bytes, so Isthmus sends it over TCP (RFC 3261
        // §18.1.1), and Kamailio relays it on the same transport; the watcher listens there.
        try (Sipp.Running watcher = Sipp.scenario("uac_subscribe_e2e.xml").withRemote(kamailio.port())
                .withTransport(Sipp.Transport.TCP).withKey("from_uri", kamailio.aor("dave"))
                .withKey("to_uri", "sip:alice@xmpp.test").withTimeout(SIPP_RUN).start()) {
            // RFC 8048 §5.3: dave's SUBSCRIBE reaches alice as a subscription request; she approves it.
            alice.nextPresence(daveJid, "subscribe", WAIT);
            alice.sendPresence(daveJid, "subscribed");
            Sipp.TracedMessage active = watcher.awaitMessage(m -> isNotify(m) && m.received()
                    && m.header("Subscription-State").orElse("").startsWith("active"), "an active NOTIFY", WAIT);
            String callId = active.header("Call-ID").orElseThrow();

            // RFC 3923 §4.1: directed presence, one object each.
            alice.sendPresenceE2e(daveJid, SmimeObjects.signedE2e(signedRsa));
            alice.sendPresenceE2e(daveJid, envelopedE2e(signedThenEncryptedEc));
            alice.sendPresenceE2e(daveJid, envelopedE2e(encryptedRsa));
            alice.sendPresenceE2e(daveJid, SmimeObjects.signedE2e(tampered));
            List<byte[]> relayed = notifyBodiesKamailioRelayed(callId,
                    List.of(signedRsa, signedThenEncryptedEc, encryptedRsa, tampered));
            Sipp.TracedMessage last = watcher.awaitMessage(m -> isNotify(m) && m.received()
                    && m.header("Authentication-Results").orElse("").endsWith("smime=fail"), "the tampered NOTIFY", WAIT);

            // Each object reached the watcher's proxy as the same octets (found by equality above).
            // Signed (RSA): alice's signature verifies at the watcher.
            assertThat(SmimeObjects.verifies(relayed.get(0), aliceRsa.certificate())).isTrue();
            // Signed, then encrypted for dave (EC): he decrypts it and verifies alice's signature inside.
            byte[] decrypted = SmimeObjects.decrypt(relayed.get(1), daveEc);
            assertThat(decrypted).isEqualTo(signedEntity);
            assertThat(SmimeObjects.verifies(bodyOf(decrypted), aliceEc.certificate())).isTrue();
            // Encrypted only (RSA): he decrypts the PIDF.
            assertThat(SmimeObjects.decrypt(relayed.get(2), daveRsa)).isEqualTo(pidf);
            // Changed after signing: relayed as it was sent, and the signature fails at the watcher.
            assertThat(SmimeObjects.verifies(relayed.get(3), aliceRsa.certificate())).isFalse();

            // Each in the subscription's dialog (RFC 7248 §5.2), under the object's own type, tagged.
            assertThat(last.header("Call-ID")).hasValue(callId);
            assertThat(last.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("multipart/signed")
                    .contains("boundary=" + SmimeObjects.BOUNDARY));
            assertThat(last.header("Subscription-State")).hasValueSatisfying(s -> assertThat(s).startsWith("active"));

            // RFC 8048 §5.3.3: her withdrawal ends dave's subscription with a terminated NOTIFY.
            alice.sendPresence(daveJid, "unsubscribed");
            Sipp.Result seen = watcher.await(WAIT);
            assertThat(seen.succeeded()).as(seen.diagnostics()).isTrue();
            Map<String, Sipp.TracedMessage> byCseq = new LinkedHashMap<>();
            seen.received().stream().filter(E2ePresenceInteropTest::isNotify)
                    .filter(n -> n.header("Authentication-Results").isPresent())
                    .forEach(n -> byCseq.putIfAbsent(n.header("CSeq").orElseThrow(), n)); // retransmissions once
            List<Sipp.TracedMessage> notifies = List.copyOf(byCseq.values());
            assertThat(notifies).as(seen.diagnostics()).hasSize(4);
            assertThat(notifies.get(0).header("Authentication-Results")).hasValue("sip.xmpp.test; smime=pass");
            assertThat(notifies.get(1).header("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                    .startsWith("application/pkcs7-mime").contains("smime-type=enveloped-data"));
            assertThat(notifies.get(1).header("Authentication-Results")).hasValue("sip.xmpp.test; smime=none");
            assertThat(notifies.get(2).header("Content-Length")).hasValue(Integer.toString(encryptedRsa.length));
        } finally {
            alice.close();
        }
    }

    @Test
    void aSignedPidfWhoseEntityIsNotTheSenderIsRefusedWithForbidden() {
        byte[] forged = SmimeObjects.signed(SmimeObjects.pidf("pres:juliet@xmpp.test", "here"), aliceRsa);
        try (XmppClientProcess carol = prosody.login("carol")) {
            String id = carol.sendPresenceE2e(jidOf("dave", KamailioServer.SIP_DOMAIN), SmimeObjects.signedE2e(forged));

            JsonNode error = carol.nextPresence(jidOf("dave", KamailioServer.SIP_DOMAIN), "error", WAIT);
            assertThat(error.path("id").asText()).isEqualTo(id);
            assertThat(error.path("error").path("condition").asText()).isEqualTo("forbidden");
            assertThat(error.path("error").path("text").asText()).contains("pres:juliet@xmpp.test");
        }
    }

    @Test
    void aSecuredPresenceForAContactWithoutASubscriptionIsRefusedNotDropped() {
        byte[] signed = SmimeObjects.signed(SmimeObjects.pidf("pres:carol@xmpp.test", "here"), aliceRsa);
        String nobody = jidOf("nobody", KamailioServer.SIP_DOMAIN);
        try (XmppClientProcess carol = prosody.login("carol")) {
            String id = carol.sendPresenceE2e(nobody, SmimeObjects.signedE2e(signed));

            JsonNode error = carol.nextPresence(nobody, "error", WAIT);
            assertThat(error.path("id").asText()).isEqualTo(id);
            // RFC 7247 §7.1: the 481 a NOTIFY without a subscription would get is item-not-found.
            assertThat(error.path("error").path("condition").asText()).isEqualTo("item-not-found");
            assertThat(error.path("e2e").asText()).contains("multipart/signed");
        }
    }

    // ---- From SIP to XMPP ------------------------------------------------------------------------

    /** SIPp as bob@phone.test's notifier, whose first NOTIFY carries this multipart/signed body. */
    private Sipp.Running notifierSending(byte[] signedBody) {
        return Sipp.scenario("uas_notifier_file.xml").withLocalPort(notifierPort)
                .withKey("content_type", SmimeObjects.signedType()).withTimeout(SIPP_RUN)
                .withFile("body.bin", signedBody).start();
    }

    @Test
    void aSignedPidfNotifyReachesTheAuthorizedXmppWatcherInE2eAndVerifiesThere() {
        String bobJid = jidOf("bob", PHONE_DOMAIN);
        byte[] body = SmimeObjects.signed(SmimeObjects.pidf("pres:bob@phone.test", "auf Dienstreise"), bobEc);
        try (XmppClientProcess erin = prosody.login("erin");
             Sipp.Running notifier = notifierSending(body)) {
            erin.sendPresence(bobJid, "subscribe");

            erin.nextPresence(bobJid, "subscribed", WAIT);
            JsonNode presence = erin.nextPresence(bobJid, "available", WAIT);
            String e2e = presence.path("e2e").asText();
            assertThat(e2e).startsWith("Content-Type: multipart/signed").contains(SmimeObjects.BOUNDARY);
            assertThat(E2eInteropTest.e2eBody(e2e)).isEqualTo(body);
            assertThat(SmimeObjects.verifies(E2eInteropTest.e2eBody(e2e), bobEc.certificate())).isTrue();
            assertThat(presence.path("headers").path("Authentication-Results").asText())
                    .isEqualTo("sip.xmpp.test; smime=pass");

            erin.sendPresence(bobJid, "unsubscribe");
            Sipp.Result seen = notifier.await(WAIT);
            assertThat(seen.succeeded()).as(seen.diagnostics()).isTrue();
            // RFC 6665 §4.1.3: the secured NOTIFY was answered 200.
            assertThat(seen.received().stream().filter(m -> m.status().isPresent()).map(m -> m.status().getAsInt()))
                    .as(seen.diagnostics()).first().isEqualTo(200);
        }
    }

    @Test
    void aNotifyWhosePidfEntityIsSomeoneElseIsRefusedWith403AndNothingReachesTheWatcher() {
        String bobJid = jidOf("bob", PHONE_DOMAIN);
        byte[] forged = SmimeObjects.signed(SmimeObjects.pidf("pres:mallory@phone.test", "here"), bobEc);
        try (XmppClientProcess frank = prosody.login("frank");
             Sipp.Running notifier = notifierSending(forged)) {
            frank.sendPresence(bobJid, "subscribe");

            Sipp.Result seen = notifier.await(WAIT);
            assertThat(seen.succeeded()).as(seen.diagnostics()).isTrue();
            assertThat(seen.finalStatus()).as(seen.diagnostics()).hasValue(403);
            assertThat(eventsWithin(frank, Duration.ofMillis(1500)))
                    .noneMatch(e -> e.path("e2e").isTextual());
            frank.sendPresence(bobJid, "unsubscribe");
        }
    }
}
