package org.isthmus.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import org.isthmus.gateway.Gateway;
import org.isthmus.gateway.config.GatewayConfig;
import org.isthmus.gateway.e2e.SmimeObjects;
import org.isthmus.gateway.e2e.SmimeObjects.Keys;
import org.isthmus.gateway.e2e.SmimeObjects.Party;

/**
 * RFC 3923 end-to-end objects through real peers: a slixmpp client on Prosody, Isthmus as Prosody's
 * component with {@code e2e: {verify: tag}}, Kamailio as the proxy of sip.test and SIPp as the SIP
 * user agent. Kamailio logs the octets of each MESSAGE body it receives from Isthmus in base64 (SIPp's
 * own trace stops at a NUL octet), and those are what the far end checks. Objects are made with
 * Bouncy Castle here (signed, encrypted, signed then encrypted; RSA and EC keys), and the far end,
 * given the exact octets the peer received, verifies and decrypts them; an object changed after
 * signing fails there; inner addresses that are not the outer ones are refused on the way. Two more
 * gateways on the same Prosody (components of their own) run {@code verify: reject} and
 * {@code verify: pass}, and their /metrics count each outcome.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class E2eInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String BOB_JID = "bob\\40sip.test@sip.xmpp.test";
    private static final String TEXT = "Wherefore art thou, Romeo? Grüße 😀";

    private final Party ca = SmimeObjects.ca();
    private final Party aliceRsa = SmimeObjects.user("im:alice@xmpp.test", Keys.RSA, ca);
    private final Party aliceEc = SmimeObjects.user("im:alice@xmpp.test", Keys.EC, ca);
    private final Party bobRsa = SmimeObjects.user("sip:bob@sip.test", Keys.RSA, ca);
    private final Party bobEc = SmimeObjects.user("sip:bob@sip.test", Keys.EC, ca);

    /** The components of the {@code verify: reject} and {@code verify: pass} gateways. */
    private static final ProsodyServer.Host REJECT_HOST = new ProsodyServer.Host("reject.test", "reject.xmpp.test",
            "isthmus-reject-secret");
    private static final ProsodyServer.Host PASS_HOST = new ProsodyServer.Host("pass.test", "pass.xmpp.test",
            "isthmus-pass-secret");
    /** A signer the trust store does not lead to: its CA is not there (RFC 8601 {@code neutral}). */
    private final Party strangerEc = SmimeObjects.user("sip:bob@sip.test", Keys.EC, SmimeObjects.ca());

    private ProsodyServer prosody;
    private KamailioServer kamailio;
    private Gateway gateway;
    private Path trustStore;
    private Gateway rejecting;
    private int rejectingSipPort;
    private Gateway passing;
    private int passingSipPort;
    private int sipPort;
    private XmppClientProcess alice;

    @BeforeAll
    void start() throws IOException {
        Peers.assumeInstalled("prosody", "sipp", "kamailio");
        Peers.assumePythonModule("slixmpp");
        Path trust = Peers.workDirectory("e2e-trust").resolve("trust.pem");
        Files.writeString(trust, SmimeObjects.pem(ca.certificate()), StandardCharsets.US_ASCII);
        trustStore = trust;
        prosody = ProsodyServer.start(List.of(ProsodyServer.DEFAULT_HOST, REJECT_HOST, PASS_HOST),
                ProsodyServer.TEST_USERS);
        sipPort = Peers.freePort();
        kamailio = KamailioServer.start(sipPort);
        gateway = ProsodyGateway.start(prosody, sipPort, "",
                kamailio.isthmusRoute() + "e2e: {verify: tag, trust-store: '" + trust + "'}\n", WAIT);
        alice = prosody.login("alice");
    }

    /** Leaves nothing of an earlier test in alice's queue (bounded: at most 20 stanzas, 200 ms each). */
    @BeforeEach
    void drain() {
        for (int i = 0; i < 20 && alice.pollMessage(Duration.ofMillis(200)).isPresent(); i++) {
            // dropped
        }
    }

    @AfterAll
    void stop() {
        if (alice != null) {
            alice.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (rejecting != null) {
            rejecting.close();
        }
        if (passing != null) {
            passing.close();
        }
        if (kamailio != null) {
            kamailio.close();
        }
        if (prosody != null) {
            prosody.close();
        }
    }

    private void register(String aor, Sipp.Running phone) {
        Sipp.Result registered = Sipp.scenario("uac_register.xml")
                .withKey("aor", aor)
                .withRemote(kamailio.port())
                .withKey("registrar", "sip:sip.test")
                .withKey("contact", phone.contact(aor.substring(4, aor.indexOf('@'))))
                .withKey("expires", "300")
                .run();
        assertThat(registered.succeeded()).as(registered.diagnostics()).isTrue();
        assertThat(registered.finalStatus()).hasValue(200);
    }

    /** What reached the SIP side: the MESSAGE as the phone saw it, and the body as Kamailio received it. */
    private record Received(Sipp.TracedMessage message, byte[] body) {
    }

    /** Alice sends the {@code <e2e/>} text to bob's phone, registered with Kamailio. */
    private Received sendToPhone(String e2e) {
        return sendToPhone(BOB_JID, e2e);
    }

    /** Alice sends the {@code <e2e/>} text to bob's phone through the gateway whose JID for bob is {@code to}. */
    private Received sendToPhone(String to, String e2e) {
        // Over 1300 bytes, so it goes over TCP (RFC 3261 §18.1.1): the phone listens there.
        try (Sipp.Running phone = Sipp.scenario("uas_message.xml").withTransport(Sipp.Transport.TCP).start()) {
            register("sip:bob@sip.test", phone);
            alice.sendE2e(to, e2e);
            Sipp.Result received = phone.await(WAIT);
            assertThat(received.succeeded()).as("%s%n%s", received.diagnostics(), kamailio.diagnostics()).isTrue();
            Sipp.TracedMessage message = received.receivedRequest("MESSAGE").orElseThrow();
            String callId = message.header("Call-ID").orElseThrow();
            return new Received(message, bodyKamailioReceived(callId));
        }
    }

    /** The body of the MESSAGE with this Call-ID, from the line Kamailio logs for it (bounded wait). */
    private byte[] bodyKamailioReceived(String callId) {
        Pattern line = Pattern.compile("MESSAGE body \\(Call-ID " + Pattern.quote(callId) + "\\): ([A-Za-z0-9+/=]+)");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                Matcher m = line.matcher(Files.readString(kamailio.logFile(), StandardCharsets.ISO_8859_1));
                if (m.find()) {
                    return Base64.getDecoder().decode(m.group(1));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            assertThat(System.nanoTime()).as("Kamailio logged the body of %s%n%s", callId, kamailio.diagnostics())
                    .isLessThan(deadline);
            Peers.sleep(Duration.ofMillis(100));
        }
    }

    private Sipp.Result sendFromSip(String contentType, byte[] body) {
        return sendFromSip(sipPort, contentType, body);
    }

    private Sipp.Result sendFromSip(int port, String contentType, byte[] body) {
        return Sipp.scenario("uac_message_file.xml")
                .withRemote(port)
                .withKey("from_uri", "sip:bob@sip.test")
                .withKey("to_uri", "sip:alice@xmpp.test")
                .withKey("content_type", contentType)
                .withFile("body.bin", body)
                .run();
    }

    private static byte[] aliceToBob() {
        return SmimeObjects.cpim("im:alice@xmpp.test", "im:bob@sip.test", TEXT);
    }

    private static byte[] bobToAlice() {
        return SmimeObjects.cpim("sip:bob@sip.test", "im:alice@xmpp.test", TEXT);
    }

    /** An entity's octets: its Content-Type, a blank line and the body (RFC 2045 §3). */
    static byte[] entity(String contentType, byte[] body) {
        byte[] head = ("Content-Type: " + contentType + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + body.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(body, 0, out, head.length, body.length);
        return out;
    }

    /**
     * The S/MIME object's body as the XMPP client received it in {@code <e2e/>}: the text's line breaks
     * back in MIME's canonical CRLF (XML turned them into LF), base64 undone if the object says so.
     */
    static byte[] e2eBody(String e2e) {
        String canonical = e2e.replace("\r\n", "\n").replace("\n", "\r\n");
        int blank = canonical.indexOf("\r\n\r\n");
        String head = canonical.substring(0, blank);
        String body = canonical.substring(blank + 4);
        return head.toLowerCase().contains("content-transfer-encoding: base64")
                ? Base64.getMimeDecoder().decode(body.strip())
                : body.getBytes(StandardCharsets.UTF_8);
    }

    private static String e2eType(String e2e) {
        return e2e.lines().findFirst().orElseThrow();
    }

    // ---- From XMPP to SIP ------------------------------------------------------------------------

    @Test
    void aSignedMessageReachesTheSipPhoneByteForByteAndVerifiesThere() {
        byte[] body = SmimeObjects.signed(aliceToBob(), aliceRsa);

        Received received = sendToPhone(SmimeObjects.signedE2e(body));
        Sipp.TracedMessage message = received.message();

        assertThat(message.header("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("multipart/signed").contains("boundary=" + SmimeObjects.BOUNDARY)
                .contains("protocol=\"application/pkcs7-signature\""));
        assertThat(message.header("From")).hasValueSatisfying(f -> assertThat(f).startsWith("<sip:alice@xmpp.test"));
        assertThat(received.body()).isEqualTo(body);
        assertThat(message.bodyBytes()).isEqualTo(body);
        assertThat(SmimeObjects.verifies(received.body(), aliceRsa.certificate())).isTrue();
        assertThat(message.header("Authentication-Results")).hasValue("sip.xmpp.test; smime=pass");
    }

    @Test
    void aSignedThenEncryptedMessageWithEcKeysDecryptsAndVerifiesAtTheSipPhone() {
        byte[] signedEntity = entity(SmimeObjects.signedType(), SmimeObjects.signed(aliceToBob(), aliceEc));
        byte[] der = SmimeObjects.enveloped(signedEntity, bobEc);
        String e2e = "Content-Type: " + SmimeObjects.envelopedType() + "\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(der) + "\r\n";

        Received received = sendToPhone(e2e);
        Sipp.TracedMessage message = received.message();

        assertThat(message.header("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/pkcs7-mime").contains("smime-type=enveloped-data"));
        assertThat(message.header("Content-Length")).hasValue(Integer.toString(der.length));
        assertThat(received.body()).isEqualTo(der);
        byte[] decrypted = SmimeObjects.decrypt(received.body(), bobEc);
        assertThat(decrypted).isEqualTo(signedEntity);
        byte[] innerBody = new String(decrypted, StandardCharsets.ISO_8859_1).split("\r\n\r\n", 2)[1]
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(SmimeObjects.verifies(innerBody, aliceEc.certificate())).isTrue();
        // The gateway cannot see inside: no signature for it to check (RFC 8601 "none").
        assertThat(message.header("Authentication-Results")).hasValue("sip.xmpp.test; smime=none");
    }

    @Test
    void anObjectChangedAfterSigningArrivesAsItWasSentAndFailsAtTheFarEnd() {
        byte[] tampered = SmimeObjects.flipped(SmimeObjects.signed(aliceToBob(), aliceRsa), "Wherefore");

        Received received = sendToPhone(SmimeObjects.signedE2e(tampered));
        Sipp.TracedMessage message = received.message();

        assertThat(received.body()).isEqualTo(tampered);
        assertThat(SmimeObjects.verifies(received.body(), aliceRsa.certificate())).isFalse();
        assertThat(message.header("Authentication-Results")).hasValue("sip.xmpp.test; smime=fail");
    }

    @Test
    void anInnerFromThatIsNotTheXmppSenderIsRefusedWithForbidden() {
        byte[] forged = SmimeObjects.signed(SmimeObjects.cpim("im:carol@xmpp.test", "im:bob@sip.test", TEXT), aliceRsa);

        String id = alice.sendE2e(BOB_JID, SmimeObjects.signedE2e(forged));

        JsonNode error = alice.nextMessage(WAIT);
        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.path("id").asText()).isEqualTo(id);
        assertThat(error.path("error").path("condition").asText()).isEqualTo("forbidden");
        assertThat(error.path("error").path("text").asText()).contains("carol@xmpp.test");
    }

    // ---- From SIP to XMPP ------------------------------------------------------------------------

    @Test
    void aSignedSipMessageReachesTheXmppClientInE2eAndVerifiesThere() {
        byte[] body = SmimeObjects.signed(bobToAlice(), bobEc);

        Sipp.Result sent = sendFromSip(SmimeObjects.signedType(), body);

        JsonNode message = alice.nextMessage(WAIT);
        assertThat(message.path("from").asText()).isEqualTo(BOB_JID);
        String e2e = message.path("e2e").asText();
        assertThat(e2eType(e2e)).startsWith("Content-Type: multipart/signed").contains(SmimeObjects.BOUNDARY);
        assertThat(e2eBody(e2e)).isEqualTo(body);
        assertThat(SmimeObjects.verifies(e2eBody(e2e), bobEc.certificate())).isTrue();
        assertThat(message.path("headers").path("Authentication-Results").asText()).isEqualTo("sip.xmpp.test; smime=pass");
        assertThat(sent.succeeded()).as(sent.diagnostics()).isTrue();
        assertThat(sent.finalStatus()).hasValue(202);
    }

    @Test
    void aBinaryEncryptedSipMessageReachesTheXmppClientInBase64AndDecryptsThere() {
        byte[] signedEntity = entity(SmimeObjects.signedType(), SmimeObjects.signed(bobToAlice(), bobRsa));
        byte[] der = SmimeObjects.enveloped(signedEntity, aliceRsa);

        Sipp.Result sent = sendFromSip(SmimeObjects.envelopedType(), der);

        JsonNode message = alice.nextMessage(WAIT);
        String e2e = message.path("e2e").asText();
        assertThat(e2eType(e2e)).startsWith("Content-Type: application/pkcs7-mime");
        byte[] received = e2eBody(e2e);
        assertThat(received).isEqualTo(der);
        byte[] decrypted = SmimeObjects.decrypt(received, aliceRsa);
        assertThat(decrypted).isEqualTo(signedEntity);
        byte[] innerBody = new String(decrypted, StandardCharsets.ISO_8859_1).split("\r\n\r\n", 2)[1]
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(SmimeObjects.verifies(innerBody, bobRsa.certificate())).isTrue();
        assertThat(sent.finalStatus()).hasValue(202);
    }

    @Test
    void aSipMessageWhoseInnerFromIsSomeoneElseIsRefusedWith403() {
        byte[] forged = SmimeObjects.signed(SmimeObjects.cpim("sip:mallory@sip.test", "im:alice@xmpp.test", TEXT), bobEc);

        Sipp.Result sent = sendFromSip(SmimeObjects.signedType(), forged);

        assertThat(sent.succeeded()).as(sent.diagnostics()).isTrue();
        assertThat(sent.finalStatus()).hasValue(403);
        assertThat(alice.pollMessage(Duration.ofSeconds(1))).isEmpty();
    }

    // ---- verify: reject and verify: pass, each on a gateway of its own ------------------------------

    /**
     * A gateway attached to the same Prosody as the component of {@code host}, with {@code e2e.verify}
     * set to {@code mode}, routing sip.test to Kamailio, and /metrics on an admin port of its own.
     */
    private Gateway child(ProsodyServer.Host host, String mode, int port) {
        GatewayConfig config = GatewayConfig.parse("e2e-" + mode, """
                xmpp:
                  component: {host: 127.0.0.1, port: %d, domain: %s, secret: %s, reconnect: {initial: 200ms, max: 2s}}
                  domains: [%s]
                sip:
                  listen: {address: 127.0.0.1, port: %d}
                %se2e: {verify: %s, trust-store: '%s'}
                admin: {address: 127.0.0.1, port: 0}
                """.formatted(prosody.componentPort(), host.componentDomain(), host.componentSecret(),
                prosody.domain(), port, kamailio.isthmusRoute(), mode, trustStore), name -> null);
        Gateway child = new Gateway(config);
        child.start();
        ProsodyGateway.awaitLink(child, prosody, true, WAIT);
        return child;
    }

    private synchronized Gateway rejecting() {
        if (rejecting == null) {
            rejectingSipPort = Peers.freePort();
            rejecting = child(REJECT_HOST, "reject", rejectingSipPort);
        }
        return rejecting;
    }

    private synchronized Gateway passing() {
        if (passing == null) {
            passingSipPort = Peers.freePort();
            passing = child(PASS_HOST, "pass", passingSipPort);
        }
        return passing;
    }

    /** Bob's JID through the gateway that is the component of {@code host}. */
    private static String bobThrough(ProsodyServer.Host host) {
        return "bob\\40sip.test@" + host.componentDomain();
    }

    /**
     * The value of {@code isthmus_e2e_objects_total} with these tags on {@code gateway}'s /metrics, 0 when
     * the series does not exist yet.
     */
    private static double e2eCount(Gateway gateway, Map<String, String> tags) {
        String metrics;
        try {
            metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + gateway.adminAddress().orElseThrow().getPort() + "/metrics")).timeout(WAIT).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return metrics.lines()
                .filter(l -> l.startsWith("isthmus_e2e_objects_total{"))
                .filter(l -> tags.entrySet().stream().allMatch(t -> l.contains(t.getKey() + "=\"" + t.getValue() + "\"")))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** The tags of one outcome for a signed object on {@code isthmus_e2e_objects_total}. */
    private static Map<String, String> signedOutcome(String direction, String result, String action) {
        return Map.of("direction", direction, "kind", "signed", "result", result, "action", action);
    }

    /** The number of MESSAGE bodies Kamailio has logged so far. */
    private int bodiesKamailioReceived() {
        try {
            return (int) Files.readString(kamailio.logFile(), StandardCharsets.ISO_8859_1).lines()
                    .filter(l -> l.contains("MESSAGE body (Call-ID ")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void withVerifyRejectATamperedXmppMessageGetsNotAcceptableAndNeverReachesSip() {
        Gateway gw = rejecting();
        Map<String, String> refused = signedOutcome("xmpp_to_sip", "fail", "refused");
        double before = e2eCount(gw, refused);
        int bodiesBefore = bodiesKamailioReceived();
        byte[] tampered = SmimeObjects.flipped(SmimeObjects.signed(aliceToBob(), aliceRsa), "Wherefore");

        String id = alice.sendE2e(bobThrough(REJECT_HOST), SmimeObjects.signedE2e(tampered));

        JsonNode error = alice.nextMessage(WAIT);
        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.path("id").asText()).isEqualTo(id);
        // RFC 3923 §7, case #4: a signature that does not verify is answered <not-acceptable/>.
        assertThat(error.path("error").path("condition").asText()).isEqualTo("not-acceptable");
        assertThat(error.path("error").path("text").asText()).contains("smime=fail");
        assertThat(e2eCount(gw, refused)).isEqualTo(before + 1);
        Peers.sleep(Duration.ofSeconds(1));
        assertThat(bodiesKamailioReceived()).as("MESSAGE bodies at Kamailio").isEqualTo(bodiesBefore);
    }

    @Test
    void withVerifyRejectAGoodSignatureStillReachesTheSipPhone() {
        Gateway gw = rejecting();
        Map<String, String> relayed = signedOutcome("xmpp_to_sip", "pass", "relayed");
        double before = e2eCount(gw, relayed);
        byte[] body = SmimeObjects.signed(aliceToBob(), aliceEc);

        Received received = sendToPhone(bobThrough(REJECT_HOST), SmimeObjects.signedE2e(body));

        assertThat(received.body()).isEqualTo(body);
        assertThat(SmimeObjects.verifies(received.body(), aliceEc.certificate())).isTrue();
        assertThat(received.message().header("Authentication-Results")).isEmpty();
        assertThat(e2eCount(gw, relayed)).isEqualTo(before + 1);
    }

    @Test
    void withVerifyRejectUnverifiableAndTamperedSipMessagesGet403AndNeverReachXmpp() {
        Gateway gw = rejecting();
        Map<String, String> neutral = signedOutcome("sip_to_xmpp", "neutral", "refused");
        Map<String, String> failed = signedOutcome("sip_to_xmpp", "fail", "refused");
        double neutralBefore = e2eCount(gw, neutral);
        double failedBefore = e2eCount(gw, failed);

        // Signed by a key whose CA the trust store does not hold: the gateway cannot verify it.
        Sipp.Result unverifiable = sendFromSip(rejectingSipPort, SmimeObjects.signedType(),
                SmimeObjects.signed(bobToAlice(), strangerEc));
        Sipp.Result tampered = sendFromSip(rejectingSipPort, SmimeObjects.signedType(),
                SmimeObjects.flipped(SmimeObjects.signed(bobToAlice(), bobEc), "Wherefore"));

        assertThat(unverifiable.succeeded()).as(unverifiable.diagnostics()).isTrue();
        assertThat(unverifiable.finalStatus()).hasValue(403);
        assertThat(tampered.succeeded()).as(tampered.diagnostics()).isTrue();
        assertThat(tampered.finalStatus()).hasValue(403);
        assertThat(alice.pollMessage(Duration.ofSeconds(1))).isEmpty();
        assertThat(e2eCount(gw, neutral)).isEqualTo(neutralBefore + 1);
        assertThat(e2eCount(gw, failed)).isEqualTo(failedBefore + 1);
    }

    @Test
    void withVerifyPassATamperedXmppMessageArrivesByteForByteWithoutAResult() {
        Gateway gw = passing();
        Map<String, String> counted = signedOutcome("xmpp_to_sip", "fail", "relayed");
        double before = e2eCount(gw, counted);
        byte[] tampered = SmimeObjects.flipped(SmimeObjects.signed(aliceToBob(), aliceRsa), "Wherefore");

        Received received = sendToPhone(bobThrough(PASS_HOST), SmimeObjects.signedE2e(tampered));

        assertThat(received.body()).isEqualTo(tampered);
        assertThat(received.message().bodyBytes()).isEqualTo(tampered);
        assertThat(received.message().header("Authentication-Results")).isEmpty();
        assertThat(SmimeObjects.verifies(received.body(), aliceRsa.certificate())).isFalse();
        assertThat(e2eCount(gw, counted)).isEqualTo(before + 1);
    }

    @Test
    void withVerifyPassATamperedSipMessageArrivesByteForByteWithoutAResult() {
        Gateway gw = passing();
        Map<String, String> counted = signedOutcome("sip_to_xmpp", "fail", "relayed");
        double before = e2eCount(gw, counted);
        byte[] tampered = SmimeObjects.flipped(SmimeObjects.signed(bobToAlice(), bobEc), "Wherefore");

        Sipp.Result sent = sendFromSip(passingSipPort, SmimeObjects.signedType(), tampered);

        JsonNode message = alice.nextMessage(WAIT);
        assertThat(message.path("from").asText()).isEqualTo(bobThrough(PASS_HOST));
        assertThat(e2eBody(message.path("e2e").asText())).isEqualTo(tampered);
        assertThat(message.path("headers").path("Authentication-Results").isMissingNode()).isTrue();
        assertThat(sent.succeeded()).as(sent.diagnostics()).isTrue();
        assertThat(sent.finalStatus()).hasValue(202);
        assertThat(e2eCount(gw, counted)).isEqualTo(before + 1);
    }
}
