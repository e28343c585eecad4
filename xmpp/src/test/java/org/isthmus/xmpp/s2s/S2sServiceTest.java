package org.isthmus.xmpp.s2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.message.MessageType;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.mapping.presence.Delay;
import org.isthmus.mapping.presence.PresenceType;
import org.isthmus.mapping.presence.Show;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.subscription.XmppSubscription;
import org.isthmus.mapping.subscription.XmppSubscriptionType;
import org.isthmus.xmpp.XmppException;
import org.isthmus.xmpp.s2s.PeerPolicy.AuthMethod;
import org.isthmus.xmpp.s2s.PeerPolicy.TlsRequirement;
import org.isthmus.xmpp.testing.RecordingHandler;
import org.isthmus.xmpp.testing.TestCertificates;

/**
 * Two S2sService instances on loopback talking to each other, and raw TCP peers for the hostile
 * cases: negotiation in each role (STARTTLS, SASL EXTERNAL, dialback as initiating, receiving and
 * authoritative server), certificate refusals, spoofing and oversized input.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class S2sServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Generous: a TLS handshake on a cold JVM of a loaded 2-core machine has taken over 5 s. */
    private static final Duration NEGOTIATION = Duration.ofSeconds(30);
    private static final String A = "a.test";
    private static final String B = "b.test";
    private static final String SECRET_A = "secret-of-a.test-0123456789";
    private static final String SECRET_B = "secret-of-b.test-0123456789";
    private static final PeerPolicy DIALBACK_ONLY = new PeerPolicy(TlsRequirement.REQUIRED, EnumSet.of(AuthMethod.DIALBACK));
    private static final PeerPolicy EXTERNAL_ONLY = new PeerPolicy(TlsRequirement.REQUIRED, EnumSet.of(AuthMethod.EXTERNAL));
    private static final PeerPolicy PLAIN_DIALBACK = new PeerPolicy(TlsRequirement.OPTIONAL, EnumSet.of(AuthMethod.DIALBACK));

    @TempDir
    static Path certificates;
    private static TestCertificates ca;
    private static TestCertificates otherCa;

    private final RecordingHandler atA = new RecordingHandler();
    private final RecordingHandler atB = new RecordingHandler();
    private final List<S2sService> services = new ArrayList<>();
    private final List<TcpRelay> relays = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() {
        ca = TestCertificates.authority(certificates, "isthmus");
        otherCa = TestCertificates.authority(certificates.resolve("other"), "other");
    }

    @AfterEach
    void tearDown() {
        services.forEach(S2sService::close);
        relays.forEach(TcpRelay::close);
    }

    // --- negotiation between two services, both ways ---

    @Test
    void dialbackOverStartTlsCarriesMessagesBothWays() throws Exception {
        Pair pair = pair(tls(ca.issue(A)), tls(ca.issue(B)), DIALBACK_ONLY, DIALBACK_ONLY);
        assertDelivered(pair.a(), message("juliet@a.test", "romeo@b.test", "hello b"), atB);
        assertDelivered(pair.b(), message("romeo@b.test", "juliet@a.test", "hello a"), atA);
    }

    @Test
    void saslExternalWithTrustedCertificatesCarriesMessagesBothWays() throws Exception {
        Pair pair = pair(tls(ca.issue(A)), tls(ca.issue(B)), EXTERNAL_ONLY, EXTERNAL_ONLY);
        assertDelivered(pair.a(), message("juliet@a.test", "romeo@b.test", "over EXTERNAL"), atB);
        assertDelivered(pair.b(), message("romeo@b.test", "juliet@a.test", "and back"), atA);
    }

    @Test
    void directTlsListenerAcceptsXep0368Streams() throws Exception {
        int portA = freePort();
        int directA = freePort();
        int portB = freePort();
        S2sService a = start(settings(A, portA, tls(ca.issue(A)), SECRET_A, EXTERNAL_ONLY)
                .withDirectTlsPort(directA), atA);
        S2sService b = start(settings(B, portB, tls(ca.issue(B)), SECRET_B, EXTERNAL_ONLY)
                .withStaticRoute(A, new PeerAddress("127.0.0.1", directA, true)), atB);
        assertThat(a.directTlsAddress()).isPresent();
        assertDelivered(b, message("romeo@b.test", "juliet@a.test", "direct"), atA);
    }

    @Test
    void dialbackWithoutTlsWorksWhenBothPoliciesAllowPlainStreams() throws Exception {
        Pair pair = pair(Optional.empty(), Optional.empty(), PLAIN_DIALBACK, PLAIN_DIALBACK);
        assertDelivered(pair.a(), message("juliet@a.test", "romeo@b.test", "plain"), atB);
    }

    // --- certificates refused (RFC 6120 §13.7.2, XEP-0178) ---

    @Test
    void expiredCertificateOfTheInitiatingServerGetsNoSaslExternal() throws Exception {
        assertInitiatorRefused(ca.issueExpired(A));
    }

    @Test
    void certificateForAnotherNameGetsNoSaslExternal() throws Exception {
        assertInitiatorRefused(ca.issueForOtherName(A, "elsewhere.test"));
    }

    @Test
    void selfSignedCertificateGetsNoSaslExternal() throws Exception {
        assertInitiatorRefused(ca.selfSigned(A));
    }

    @Test
    void certificateFromAnUntrustedAuthorityGetsNoSaslExternal() throws Exception {
        assertInitiatorRefused(otherCa.issue(A));
    }

    /** B judges A's certificate as receiving server; A has only EXTERNAL, so nothing can be sent. */
    private void assertInitiatorRefused(TestCertificates.Issued certificateOfA) throws Exception {
        Pair pair = pair(tls(certificateOfA), tls(ca.issue(B)), EXTERNAL_ONLY, EXTERNAL_ONLY);
        XmppException failure = sendFails(pair.a(), message("juliet@a.test", "romeo@b.test", "refused"));
        assertThat(failure.condition()).contains(StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND);
        assertThat(atB.pollMessage(Duration.ofMillis(200))).isNull();
    }

    @Test
    void expiredCertificateOfTheReceivingServerIsRefusedWithPolicyViolation() throws Exception {
        assertReceiverRefused(ca.issueExpired(B), "certificate not valid");
    }

    @Test
    void receivingServerCertificateForAnotherNameIsRefused() throws Exception {
        assertReceiverRefused(ca.issueForOtherName(B, "elsewhere.test"), "does not name b.test");
    }

    @Test
    void selfSignedCertificateOfTheReceivingServerIsRefused() throws Exception {
        assertReceiverRefused(ca.selfSigned(B), "certificate not valid");
    }

    /** A judges B's certificate as initiating server (RFC 6120 §13.7.2.1) and gives up. */
    private void assertReceiverRefused(TestCertificates.Issued certificateOfB, String reason) throws Exception {
        Pair pair = pair(tls(ca.issue(A)), tls(certificateOfB), EXTERNAL_ONLY, EXTERNAL_ONLY);
        XmppException failure = sendFails(pair.a(), message("juliet@a.test", "romeo@b.test", "refused"));
        assertThat(failure.condition()).contains(StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND);
        assertThat(failure.getMessage()).contains("policy-violation").contains(reason);
        assertThat(atB.pollMessage(Duration.ofMillis(200))).isNull();
    }

    @Test
    void untrustedCertificateFallsBackToDialbackWhenThePolicyAllowsIt() throws Exception {
        PeerPolicy both = PeerPolicy.DEFAULT;
        Pair pair = pair(tls(ca.selfSigned(A)), tls(ca.issue(B)), both, both);
        assertDelivered(pair.a(), message("juliet@a.test", "romeo@b.test", "via dialback"), atB);
    }

    // --- a peer that refuses SASL EXTERNAL: dialback on a new connection ---

    /**
     * The peer offers EXTERNAL and then refuses it, with {@code <failure/>} or by dropping the
     * connection (ejabberd 23.01 on our certificate's XmppAddr). The message waits, crosses on a
     * second connection by dialback, and the next stream (after an idle close) skips EXTERNAL.
     */
    @ParameterizedTest
    @EnumSource(value = ScriptedPeer.External.class, names = {"FAIL", "CLOSE"})
    void refusedExternalIsRetriedOnceWithDialbackOnANewConnection(ScriptedPeer.External refusal) throws Exception {
        try (ScriptedPeer b = new ScriptedPeer(B, A, tls(ca.issue(B)), refusal)) {
            S2sService a = start(settings(A, freePort(), tls(ca.issue(A)), SECRET_A, PeerPolicy.DEFAULT)
                    .withLimits(64 * 1024, NEGOTIATION, Duration.ofMillis(700))
                    .withStaticRoute(B, PeerAddress.of("127.0.0.1", b.address().getPort())), atA);

            a.send(message("juliet@a.test", "romeo@b.test", "first")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(b.await("<message", WAIT)).startsWith("2 ").contains("first");
            assertThat(b.log()).contains("1 auth EXTERNAL", "2 header tls", "2 db:result");

            b.await("2 close", WAIT); // the idle close; the next message needs a new stream
            a.send(message("juliet@a.test", "romeo@b.test", "second")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(b.await("second", WAIT)).startsWith("3 ");
            assertThat(b.log()).contains("3 db:result");
            assertThat(b.count("auth EXTERNAL")).isEqualTo(1);
        }
    }

    /** With EXTERNAL the only method accepted, a refusal is final: one connection, and the send fails. */
    @ParameterizedTest
    @EnumSource(value = ScriptedPeer.External.class, names = {"FAIL", "CLOSE"})
    void refusedExternalFailsTheSendWhenThePolicyAcceptsNothingElse(ScriptedPeer.External refusal) throws Exception {
        try (ScriptedPeer b = new ScriptedPeer(B, A, tls(ca.issue(B)), refusal)) {
            S2sService a = start(settings(A, freePort(), tls(ca.issue(A)), SECRET_A, EXTERNAL_ONLY)
                    .withStaticRoute(B, PeerAddress.of("127.0.0.1", b.address().getPort())), atA);
            XmppException failure = sendFails(a, message("juliet@a.test", "romeo@b.test", "refused"));
            assertThat(failure.condition()).contains(StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND);
            assertThat(b.connections()).isEqualTo(1);
            assertThat(b.count("<message")).isZero();
        }
    }

    // --- XEP-0199 pings on outbound streams ---

    /** B answers A's pings over its own stream to A; A's stream through the relay stays the only one. */
    @Test
    void pingsAnsweredOverThePeersStreamKeepTheOutboundStreamOpen() throws Exception {
        PingSetup s = pingSetup();
        Thread.sleep(PING.toMillis() * 6);
        assertThat(s.relay().connections()).isEqualTo(1);
        assertThat(s.relay().closedByClient(0)).isFalse();
        assertDelivered(s.a(), message("juliet@a.test", "romeo@b.test", "still there"), atB);
        assertThat(s.relay().connections()).isEqualTo(1);
    }

    /** The path from A to B goes silent; the unanswered ping closes A's stream and a new one replaces it. */
    @Test
    void deadOutboundStreamIsClosedAndTheNextMessageOpensAFreshOne() throws Exception {
        PingSetup s = pingSetup();
        s.relay().freeze();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!s.relay().closedByClient(0) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(s.relay().closedByClient(0)).as("the dead stream was closed").isTrue();
        assertDelivered(s.a(), message("juliet@a.test", "romeo@b.test", "after the outage"), atB);
        assertThat(s.relay().connections()).isEqualTo(2);
    }

    /** A peer with no stream to us cannot answer; the connection is left to TCP, not closed on a guess. */
    @Test
    void unansweredPingsWithoutAStreamFromThePeerDoNotCloseTheStream() throws Exception {
        try (ScriptedPeer b = new ScriptedPeer(B, A, Optional.empty(), ScriptedPeer.External.SUCCEED)) {
            S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK)
                    .withPingInterval(PING)
                    .withStaticRoute(B, PeerAddress.of("127.0.0.1", b.address().getPort())), atA);
            a.send(message("juliet@a.test", "romeo@b.test", "hello")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (b.count("urn:xmpp:ping") < 4 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(b.count("urn:xmpp:ping")).isGreaterThanOrEqualTo(4);
            assertThat(b.log()).noneMatch(l -> l.endsWith(" close") || l.endsWith(" eof"));
            assertThat(b.connections()).isEqualTo(1);
        }
    }

    /** The idle close counts stanzas: pings and keepalives every few milliseconds do not keep a stream. */
    @Test
    void idleStreamIsClosedThoughPingsKeepItBusy() throws Exception {
        try (ScriptedPeer b = new ScriptedPeer(B, A, Optional.empty(), ScriptedPeer.External.SUCCEED)) {
            S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK)
                    .withLimits(64 * 1024, NEGOTIATION, Duration.ofMillis(800))
                    .withPingInterval(Duration.ofMillis(100))
                    .withStaticRoute(B, PeerAddress.of("127.0.0.1", b.address().getPort())), atA);
            a.send(message("juliet@a.test", "romeo@b.test", "hello")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            b.await("1 close", WAIT);
            assertThat(b.count("urn:xmpp:ping")).isGreaterThanOrEqualTo(2);
        }
    }

    /** XEP-0199 §4.3: a peer's ping to our domain is answered, on our stream to the peer. */
    @Test
    void pingToALocalDomainIsAnsweredOnOurStreamToThePeer() throws Exception {
        try (ScriptedPeer b = new ScriptedPeer(B, A, Optional.empty(), ScriptedPeer.External.SUCCEED)) {
            S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK)
                    .withStaticRoute(B, PeerAddress.of("127.0.0.1", b.address().getPort())), atA);
            try (RawPeer peer = new RawPeer(a.localAddress())) {
                peer.send(header(B, A));
                peer.awaitText("</stream:features>", WAIT);
                peer.send("<db:result from='b.test' to='a.test'>any-key-b-vouches-for</db:result>");
                peer.awaitText("type='valid'", WAIT); // the scripted b.test, as authoritative server, said so
                peer.send("<iq type='get' id='p1' from='b.test' to='a.test'><ping xmlns='urn:xmpp:ping'/></iq>");
                String answer = b.await("id='p1'", WAIT);
                assertThat(answer).contains("<iq").contains("type='result'").contains("from='a.test'")
                        .contains("to='b.test'");
            }
        }
    }

    // --- unreachable peers (RFC 6120 §10.4.3) ---

    @Test
    void peerThatRefusesConnectionsFailsWithRemoteServerTimeoutAndThenAtOnce() throws Exception {
        int closedPort = freePort();
        S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK)
                .withStaticRoute(B, PeerAddress.of("127.0.0.1", closedPort)), atA);
        XmppException first = sendFails(a, message("juliet@a.test", "romeo@b.test", "1"));
        assertThat(first.condition()).contains(StanzaErrorCondition.REMOTE_SERVER_TIMEOUT);
        long start = System.nanoTime();
        XmppException second = sendFails(a, message("juliet@a.test", "romeo@b.test", "2"));
        assertThat(second.condition()).contains(StanzaErrorCondition.REMOTE_SERVER_TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
    }

    @Test
    void domainWithoutRouteAndWithoutDnsFailsWithRemoteServerNotFound() throws Exception {
        S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK)
                .withStaticRoute("unrelated.test", PeerAddress.of("127.0.0.1", 9)), atA);
        XmppException failure = sendFails(a, message("juliet@a.test", "nobody@nowhere.test", "x"));
        assertThat(failure.condition()).contains(StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND);
    }

    @Test
    void messagesFromForeignOrToDeniedDomainsAreRefusedAtOnce() throws Exception {
        S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK)
                .withStaticRoute(B, PeerAddress.of("127.0.0.1", 9)).withDeniedPeers(Set.of(B)), atA);
        assertThat(sendFails(a, message("x@b.test", "y@c.test", "spoof")).getMessage()).contains("not from a local domain");
        assertThat(sendFails(a, message("juliet@a.test", "romeo@b.test", "denied")).condition())
                .contains(StanzaErrorCondition.NOT_ALLOWED);
    }

    // --- presence (RFC 6121 §3, §4) ---

    @Test
    void presenceAndSubscriptionStanzasCrossBetweenServersBothWays() throws Exception {
        Pair pair = pair(Optional.empty(), Optional.empty(), PLAIN_DIALBACK, PLAIN_DIALBACK);
        Jid juliet = Jid.parse("juliet@a.test/balcony").orThrow();
        Jid romeo = Jid.parse("romeo@b.test").orThrow();
        XmppPresence away = XmppPresence.available(juliet, romeo).withId("p1").withLang("en").withShow(Show.AWAY)
                .withPriority(-1).withStatuses(List.of(LocalizedText.of("stepped away"), LocalizedText.in("it", "via")))
                .withDelay(Delay.of(Instant.parse("2002-09-10T23:41:07Z")));
        pair.a().send(away).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(atB.takePresence(WAIT)).isEqualTo(away);

        XmppSubscription subscribe = XmppSubscription.of(juliet.bare(), romeo, XmppSubscriptionType.SUBSCRIBE,
                Optional.of("s1"));
        pair.a().send(subscribe).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(atB.takeSubscription(WAIT)).isEqualTo(subscribe);

        XmppSubscription subscribed = XmppSubscription.of(romeo, juliet.bare(), XmppSubscriptionType.SUBSCRIBED,
                Optional.of("s1"));
        pair.b().send(subscribed).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(atA.takeSubscription(WAIT)).isEqualTo(subscribed);

        // RFC 8048 §5.3.3 and RFC 6120 §8.2: the subscription layer's unavailable and error arrive as presence.
        pair.b().send(XmppSubscription.of(romeo, juliet.bare(), XmppSubscriptionType.UNAVAILABLE, Optional.empty()))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(atA.takePresence(WAIT)).isEqualTo(XmppPresence.unavailable(romeo, juliet.bare()));
        StanzaError notFound = StanzaError.of(StanzaErrorCondition.ITEM_NOT_FOUND, null);
        pair.b().send(subscribe.errorReply(notFound)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        XmppPresence error = atA.takePresence(WAIT);
        assertThat(error.type()).isEqualTo(PresenceType.ERROR);
        assertThat(error.id()).contains("s1");
        assertThat(error.error()).contains(notFound);
    }

    /**
     * A presence that does not convert is answered with the stanza error on our stream to the peer,
     * where the peer's server reads it as an error presence; the stream it came on stays up.
     */
    @Test
    void badPresenceFromAPeerIsAnsweredWithAnErrorOnOurStreamToThePeer() throws Exception {
        S2sService a = startWithAuthoritativeB();
        try (RawPeer peer = rawPeerAuthenticatedAsB(a)) {
            peer.send("<presence from='romeo@b.test/orchard' to='juliet@a.test' id='bad1'><show>asleep</show></presence>");
            XmppPresence answer = atB.takePresence(WAIT);
            assertThat(answer.type()).isEqualTo(PresenceType.ERROR);
            assertThat(answer.id()).contains("bad1");
            assertThat(answer.from().toString()).isEqualTo("juliet@a.test");
            assertThat(answer.to().toString()).isEqualTo("romeo@b.test/orchard");
            assertThat(answer.error().orElseThrow().condition()).isEqualTo(StanzaErrorCondition.BAD_REQUEST);
            assertThat(atA.pollPresence(Duration.ofMillis(200))).isNull();

            peer.send("<presence from='romeo@b.test/orchard' to='juliet@a.test' type='bogus'/>"
                    + "<presence from='romeo@b.test/orchard' to='juliet@a.test'><show>chat</show></presence>"
                    + "<presence from='romeo@b.test' to='juliet@a.test' type='probe'/>");
            assertThat(atA.takePresence(WAIT).show()).contains(Show.CHAT);
            assertThat(atA.takeSubscription(WAIT).type()).isEqualTo(XmppSubscriptionType.PROBE);
            assertThat(atB.takePresence(WAIT).error().orElseThrow().condition())
                    .isEqualTo(StanzaErrorCondition.BAD_REQUEST);
        }
        assertThat(atA.pollPresence(Duration.ofMillis(200))).isNull();
    }

    @Test
    void presenceFromAForeignDomainOrToADeniedOneIsRefusedAtOnce() throws Exception {
        S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK)
                .withStaticRoute(B, PeerAddress.of("127.0.0.1", 9)).withDeniedPeers(Set.of(B)), atA);
        Jid foreign = Jid.parse("x@b.test").orThrow();
        Jid local = Jid.parse("juliet@a.test").orThrow();
        assertThat(sendFails(a, XmppPresence.available(foreign, Jid.parse("y@c.test").orThrow()).withId("f1"))
                .getMessage()).contains("presence id=f1").contains("not from a local domain");
        assertThat(sendFails(a, XmppSubscription.of(local, foreign, XmppSubscriptionType.SUBSCRIBE, Optional.empty()))
                .condition()).contains(StanzaErrorCondition.NOT_ALLOWED);
        assertThat(sendFails(a, XmppPresence.available(local, Jid.parse("romeo@a.test").orThrow())).getMessage())
                .contains("to a local domain");
    }

    // --- hostile inbound streams ---

    /** RFC 6120 §4.9.3.9: messages and presence alike, only from the domains the stream authenticated. */
    @ParameterizedTest
    @ValueSource(strings = {"<message from='mallory@evil.test' to='juliet@a.test'><body>spoofed</body></message>",
            "<presence from='mallory@evil.test/x' to='juliet@a.test'/>",
            "<presence from='mallory@evil.test' to='juliet@a.test' type='subscribe'/>"})
    void stanzaWithSpoofedFromEndsTheStreamWithInvalidFrom(String spoofed) throws Exception {
        S2sService a = startWithAuthoritativeB();
        try (RawPeer peer = rawPeerAuthenticatedAsB(a)) {
            peer.send("<message from='romeo@b.test' to='juliet@a.test'><body>genuine</body></message>");
            assertThat(atA.takeMessage(WAIT).from().toString()).isEqualTo("romeo@b.test");
            peer.send(spoofed);
            peer.awaitText("<invalid-from", WAIT);
            assertThat(peer.awaitClose(WAIT)).isTrue();
        }
        assertThat(atA.pollMessage(Duration.ofMillis(200))).isNull();
        assertThat(atA.pollPresence(Duration.ZERO)).isNull();
        assertThat(atA.pollSubscription(Duration.ZERO)).isNull();
    }

    @Test
    void dialbackKeyNotMadeByTheAuthoritativeServerIsInvalid() throws Exception {
        int portA = freePort();
        int portB = freePort();
        start(settings(B, portB, Optional.empty(), SECRET_B, PLAIN_DIALBACK), atB);
        S2sService a = start(settings(A, portA, Optional.empty(), SECRET_A, PLAIN_DIALBACK)
                .withStaticRoute(B, PeerAddress.of("127.0.0.1", portB)), atA);
        try (RawPeer peer = new RawPeer(a.localAddress())) {
            peer.send(header(B, A));
            peer.awaitText("</stream:features>", WAIT);
            String forged = new DialbackKey("a-guess-at-the-secret-of-b").generate(A, B, peer.attribute("<stream:stream", "id"));
            peer.send("<db:result from='b.test' to='a.test'>" + forged + "</db:result>");
            peer.awaitText("type='invalid'", WAIT);
            peer.awaitText("<not-authorized", WAIT);
            peer.send("<message from='romeo@b.test' to='juliet@a.test'><body>x</body></message>");
            assertThat(peer.awaitClose(WAIT)).isTrue();
        }
        assertThat(atA.pollMessage(Duration.ofMillis(200))).isNull();
    }

    @Test
    void stanzaBeforeAuthenticationEndsTheStreamWithNotAuthorized() throws Exception {
        S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK), atA);
        try (RawPeer peer = new RawPeer(a.localAddress())) {
            peer.send(header(B, A));
            peer.awaitText("</stream:features>", WAIT);
            peer.send("<message from='romeo@b.test' to='juliet@a.test'><body>x</body></message>");
            peer.awaitText("<not-authorized", WAIT);
            assertThat(peer.awaitClose(WAIT)).isTrue();
        }
    }

    @Test
    void streamToADomainNotServedGetsHostUnknown() throws Exception {
        S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK), atA);
        try (RawPeer peer = new RawPeer(a.localAddress())) {
            peer.send(header(B, "c.test"));
            String text = peer.awaitText("</stream:stream>", WAIT);
            // RFC 6120 §4.9.1.2: our header first, then the error.
            assertThat(text).contains("<stream:stream").contains("<host-unknown");
            assertThat(peer.awaitClose(WAIT)).isTrue();
        }
    }

    @Test
    void billionLaughsIsRefusedWithRestrictedXml() throws Exception {
        S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK), atA);
        Runtime runtime = Runtime.getRuntime();
        try (RawPeer peer = new RawPeer(a.localAddress())) {
            StringBuilder dtd = new StringBuilder("<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
            for (int i = 1; i < 10; i++) {
                dtd.append("<!ENTITY lol").append(i).append(" \"");
                for (int j = 0; j < 10; j++) {
                    dtd.append("&lol").append(i == 1 ? "" : String.valueOf(i - 1)).append(';');
                }
                dtd.append("\">");
            }
            dtd.append("]>");
            peer.send(dtd + header(B, A).substring("<?xml version='1.0'?>".length()) + "<message>&lol9;</message>");
            peer.awaitText("<restricted-xml", WAIT);
            assertThat(peer.awaitClose(WAIT)).isTrue();
        }
        // 10^9 "lol"s would take gigabytes; nothing near that was allocated.
        assertThat(runtime.totalMemory() - runtime.freeMemory()).isLessThan(512L * 1024 * 1024);
    }

    @Test
    void entityReferenceInsideAStanzaIsRefusedWithRestrictedXml() throws Exception {
        S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK), atA);
        try (RawPeer peer = new RawPeer(a.localAddress())) {
            peer.send(header(B, A));
            peer.awaitText("</stream:features>", WAIT);
            peer.send("<message from='romeo@b.test' to='juliet@a.test'><body>&lol9;</body></message>");
            peer.awaitText("<restricted-xml", WAIT);
            assertThat(peer.awaitClose(WAIT)).isTrue();
        }
    }

    @Test
    void tenMegabyteStanzaIsRefusedWithPolicyViolationBeforeItIsAllRead() throws Exception {
        int limit = 64 * 1024;
        S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK)
                .withLimits(limit, Duration.ofSeconds(30), Duration.ofMinutes(5)), atA);
        try (RawPeer peer = new RawPeer(a.localAddress())) {
            peer.send(header(B, A));
            peer.awaitText("</stream:features>", WAIT);
            peer.send("<message from='romeo@b.test' to='juliet@a.test'><body>");
            byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
            long total = 10L * 1024 * 1024;
            long written = 0;
            while (written < total && peer.trySend(chunk)) {
                written += chunk.length;
            }
            peer.awaitText("<policy-violation", WAIT);
            assertThat(peer.awaitClose(WAIT)).isTrue();
            // The stream ended while the stanza was still arriving: it was never buffered whole.
            assertThat(written).isLessThan(total);
        }
    }

    // --- resource bounds (issue 9): slow, endless and wide input, and floods of connections ---

    /** Sends {@code text} a byte at a time, one every {@code gap}, until it is all out or the peer closes. */
    private static void trickle(RawPeer peer, String text, Duration gap) throws InterruptedException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (!peer.trySend(new byte[] {bytes[i]})) {
                return;
            }
            Thread.sleep(gap.toMillis());
        }
    }

    /** A header sent a byte a second is cut by the stanza deadline, long before the whole header arrives. */
    @Test
    void streamHeaderSentAByteASecondEndsWithPolicyViolation() throws Exception {
        S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK)
                .withLimits(64 * 1024, Duration.ofSeconds(30), Duration.ofMinutes(5))
                .withBounds(Duration.ofSeconds(2), S2sSettings.DEFAULT_MAX_INBOUND_STREAMS), atA);
        try (RawPeer peer = new RawPeer(a.localAddress())) {
            Thread slow = new Thread(() -> {
                try {
                    trickle(peer, header(B, A), Duration.ofSeconds(1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            slow.start();
            assertThat(endedWith(peer, "policy-violation")).contains("stream header not complete within 2000 ms");
            slow.interrupt();
            slow.join(WAIT.toMillis());
        }
    }

    /** Whole elements that never authenticate the stream: the negotiation deadline ends it. */
    @Test
    void streamThatNeverNegotiatesEndsWithConnectionTimeout() throws Exception {
        S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK)
                .withLimits(64 * 1024, Duration.ofSeconds(2), Duration.ofMinutes(5)), atA);
        try (RawPeer peer = openStream(a)) {
            for (int i = 0; i < 10 && peer.trySend(" ".getBytes(StandardCharsets.US_ASCII)); i++) {
                Thread.sleep(500);
            }
            endedWith(peer, "connection-timeout");
        }
    }

    /**
     * On an authenticated stream, a stanza sent a byte a second is cut by the stanza deadline, while
     * whitespace keepalives at the same pace are not (RFC 6120 §4.6.1): they start no stanza.
     */
    @Test
    void stanzaSentAByteASecondEndsWithPolicyViolationButKeepalivesDoNot() throws Exception {
        S2sService a = startWithAuthoritativeB(Duration.ofSeconds(2));
        try (RawPeer peer = rawPeerAuthenticatedAsB(a)) {
            for (int i = 0; i < 4; i++) {
                assertThat(peer.trySend(" ".getBytes(StandardCharsets.US_ASCII))).isTrue();
                Thread.sleep(1000);
            }
            peer.send("<message from='romeo@b.test' to='juliet@a.test'><body>after keepalives</body></message>");
            assertThat(atA.takeMessage(WAIT).body()).contains("after keepalives");

            trickle(peer, "<message from='romeo@b.test' to='juliet@a.test'><body>slow</body></message>",
                    Duration.ofSeconds(1));
            assertThat(endedWith(peer, "policy-violation")).contains("stanza not complete within 2000 ms");
        }
        assertThat(atA.pollMessage(Duration.ofMillis(200))).isNull();
    }

    /**
     * A start tag that never ends: attribute after attribute meets the attribute limit, one attribute
     * value that never ends meets the size limit.
     */
    @Test
    void startTagThatNeverClosesEndsWithPolicyViolation() throws Exception {
        S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK), atA);
        try (RawPeer peer = openStream(a)) {
            peer.send("<message from='romeo@b.test' to='juliet@a.test'");
            for (int i = 0; i < 100_000 && peer.trySend((" a" + i + "='x'").getBytes(StandardCharsets.US_ASCII)); i++) {
                // until the stream ends or 100,000 are out
            }
            assertThat(endedWith(peer, "policy-violation")).contains("more than 64 attributes");
        }
        try (RawPeer peer = openStream(a)) {
            peer.send("<message from='romeo@b.test' to='juliet@a.test' id='");
            byte[] chunk = "x".repeat(8192).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 1280 && peer.trySend(chunk); i++) {
                // until the stream ends or 10 MB are out
            }
            assertThat(endedWith(peer, "policy-violation")).contains("larger than 65536 bytes");
        }
    }

    /**
     * 100,000 namespace declarations on one stanza, with a stanza limit large enough to let them all
     * in: the limit on attributes, which counts declarations, refuses the element at the 65th, before
     * the parser spends time on them (it binds them in quadratic time).
     */
    @Test
    void hundredThousandNamespaceDeclarationsEndWithPolicyViolation() throws Exception {
        S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK)
                .withLimits(4 * 1024 * 1024, Duration.ofSeconds(30), Duration.ofMinutes(5)), atA);
        StringBuilder stanza = new StringBuilder("<message from='romeo@b.test' to='juliet@a.test'");
        for (int i = 0; i < 100_000; i++) {
            stanza.append(" xmlns:n").append(i).append("='urn:x:").append(i).append('\'');
        }
        stanza.append("><body>x</body></message>");
        long heapBefore = usedHeapAfterGc();
        try (RawPeer peer = openStream(a)) {
            peer.trySend(stanza.toString().getBytes(StandardCharsets.US_ASCII));
            assertThat(endedWith(peer, "policy-violation")).contains("more than 64 attributes and namespace declarations");
        }
        assertThat(usedHeapAfterGc() - heapBefore).as("heap kept after the stream ended").isLessThan(64L << 20);
    }

    @Test
    void hundredThousandNamespaceDeclarationsOnTheStreamHeaderEndWithPolicyViolation() throws Exception {
        S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK)
                .withLimits(4 * 1024 * 1024, Duration.ofSeconds(30), Duration.ofMinutes(5)), atA);
        StringBuilder declarations = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            declarations.append(" xmlns:n").append(i).append("='urn:x:").append(i).append('\'');
        }
        try (RawPeer peer = new RawPeer(a.localAddress())) {
            peer.trySend(header(B, A).replace(" version='1.0'>", declarations + " version='1.0'>").getBytes(StandardCharsets.US_ASCII));
            endedWith(peer, "policy-violation");
        }
    }

    /**
     * Stanzas within every size limit that keep inventing element and attribute names: the parser
     * would keep them all, in ever more time; the stream ends once it has used too many.
     */
    @Test
    void streamThatKeepsInventingNamesEndsWithPolicyViolation() throws Exception {
        S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK), atA);
        StringBuilder stanza = new StringBuilder("<message from='romeo@b.test' to='juliet@a.test'>");
        for (int i = 0; i < 2600; i++) {
            stanza.append("<e").append(i).append(" a").append(i).append("='1'/>");
        }
        stanza.append("</message>");
        assertThat(stanza.length()).as("within the stanza limit").isLessThan(64 * 1024);
        try (RawPeer peer = openStream(a)) {
            peer.trySend(stanza.toString().getBytes(StandardCharsets.US_ASCII));
            assertThat(endedWith(peer, "policy-violation")).contains("more than 5000 distinct names");
        }
    }

    @Test
    void manyAttributesAndDeepNestingEndWithPolicyViolation() throws Exception {
        S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK), atA);
        StringBuilder wide = new StringBuilder("<message from='romeo@b.test' to='juliet@a.test'");
        for (int i = 0; i < 1000; i++) {
            wide.append(" a").append(i).append("='x'");
        }
        try (RawPeer peer = openStream(a)) {
            peer.send(wide + "/>");
            assertThat(endedWith(peer, "policy-violation")).contains("more than 64 attributes");
        }
        try (RawPeer peer = openStream(a)) {
            peer.trySend(("<message from='romeo@b.test' to='juliet@a.test'>" + "<a>".repeat(100_000))
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(endedWith(peer, "policy-violation")).contains("nested deeper than 32");
        }
    }

    /**
     * A flood of connections that never negotiate: past the limit each gets our header,
     * {@code <resource-constraint/>} and the close; the service's threads do not grow with them, and
     * once they are gone a new peer is served again.
     */
    @Test
    void connectionFloodIsRefusedWithResourceConstraintAndHoldsNoThreads() throws Exception {
        int limit = 50;
        S2sService a = start(settings(A, freePort(), Optional.empty(), SECRET_A, PLAIN_DIALBACK)
                .withBounds(Duration.ofSeconds(30), limit), atA);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int threadsBefore = threads.getThreadCount();
        List<RawPeer> flood = new ArrayList<>();
        int refused = 0;
        try {
            for (int i = 0; i < 250; i++) {
                flood.add(new RawPeer(a.localAddress()));
            }
            for (RawPeer peer : flood.subList(limit, flood.size())) {
                assertThat(endedWith(peer, "resource-constraint")).contains("<stream:stream");
                refused++;
            }
            assertThat(threads.getThreadCount() - threadsBefore).as("threads added by 250 connections").isLessThan(10);
        } finally {
            flood.forEach(RawPeer::close);
        }
        assertThat(refused).isEqualTo(250 - limit);
        long deadline = System.nanoTime() + WAIT.toNanos();
        boolean served = false;
        while (!served && System.nanoTime() < deadline) {
            try (RawPeer peer = new RawPeer(a.localAddress())) {
                peer.send(header(B, A));
                served = peer.awaitText("</stream:", WAIT).contains("<stream:features");
            }
        }
        assertThat(served).as("a peer is served once the flood is gone").isTrue();
    }

    /** A raw peer whose stream header {@code a} has answered with its features. */
    private static RawPeer openStream(S2sService a) {
        RawPeer peer = new RawPeer(a.localAddress());
        peer.send(header(B, A));
        peer.awaitText("</stream:features>", WAIT);
        return peer;
    }

    /** What the peer received, once the stream ended with {@code condition} and the connection closed. */
    private static String endedWith(RawPeer peer, String condition) {
        String text = peer.awaitText("</stream:stream>", WAIT);
        assertThat(text).contains("<" + condition + " ");
        assertThat(peer.awaitClose(WAIT)).as("closed after <%s/>", condition).isTrue();
        return text;
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    // --- helpers ---

    /**
     * a.test, and b.test's real service, which vouches for dialback keys made with b.test's secret
     * (XEP-0220 §2.2) and takes a.test's answers to what a raw peer sends as b.test.
     */
    private S2sService startWithAuthoritativeB() {
        return startWithAuthoritativeB(S2sSettings.of(Set.of(A), "127.0.0.1", 0, Optional.empty(), SECRET_A)
                .stanzaTimeout());
    }

    /** The same, with a's stanza deadline set to {@code stanzaTimeout}. */
    private S2sService startWithAuthoritativeB(Duration stanzaTimeout) {
        int portA = freePort();
        int portB = freePort();
        start(settings(B, portB, Optional.empty(), SECRET_B, PLAIN_DIALBACK)
                .withStaticRoute(A, PeerAddress.of("127.0.0.1", portA)), atB);
        return start(settings(A, portA, Optional.empty(), SECRET_A, PLAIN_DIALBACK)
                .withStaticRoute(B, PeerAddress.of("127.0.0.1", portB))
                .withBounds(stanzaTimeout, S2sSettings.DEFAULT_MAX_INBOUND_STREAMS), atA);
    }

    /** A raw peer with a stream to {@code a} on which b.test is authenticated by dialback. */
    private static RawPeer rawPeerAuthenticatedAsB(S2sService a) {
        RawPeer peer = new RawPeer(a.localAddress());
        try {
            peer.send(header(B, A));
            peer.awaitText("</stream:features>", WAIT);
            String key = new DialbackKey(SECRET_B).generate(A, B, peer.attribute("<stream:stream", "id"));
            peer.send("<db:result from='b.test' to='a.test'>" + key + "</db:result>");
            peer.awaitText("type='valid'", WAIT);
            return peer;
        } catch (RuntimeException | AssertionError e) {
            peer.close();
            throw e;
        }
    }

    private static final Duration PING = Duration.ofMillis(200);

    private record PingSetup(S2sService a, S2sService b, TcpRelay relay) {
    }

    /**
     * A pings every {@link #PING} and reaches B through a relay; B reaches A directly and has sent A a
     * message first, so a stream from B to A is there to carry the answers. EXTERNAL keeps dialback's
     * verification connections out of the relay's count.
     */
    private PingSetup pingSetup() throws Exception {
        int portA = freePort();
        int portB = freePort();
        S2sService b = start(settings(B, portB, tls(ca.issue(B)), SECRET_B, EXTERNAL_ONLY)
                .withStaticRoute(A, PeerAddress.of("127.0.0.1", portA)), atB);
        TcpRelay relay = new TcpRelay(b.localAddress());
        relays.add(relay);
        S2sService a = start(settings(A, portA, tls(ca.issue(A)), SECRET_A, EXTERNAL_ONLY).withPingInterval(PING)
                .withStaticRoute(B, PeerAddress.of("127.0.0.1", relay.port())), atA);
        assertDelivered(b, message("romeo@b.test", "juliet@a.test", "b opens its stream"), atA);
        assertDelivered(a, message("juliet@a.test", "romeo@b.test", "a opens its stream"), atB);
        assertThat(relay.connections()).isEqualTo(1);
        return new PingSetup(a, b, relay);
    }

    private record Pair(S2sService a, S2sService b) {
    }

    private Pair pair(Optional<S2sTls> tlsA, Optional<S2sTls> tlsB, PeerPolicy policyA, PeerPolicy policyB) {
        int portA = freePort();
        int portB = freePort();
        S2sService a = start(settings(A, portA, tlsA, SECRET_A, policyA)
                .withStaticRoute(B, PeerAddress.of("127.0.0.1", portB)), atA);
        S2sService b = start(settings(B, portB, tlsB, SECRET_B, policyB)
                .withStaticRoute(A, PeerAddress.of("127.0.0.1", portA)), atB);
        return new Pair(a, b);
    }

    private static S2sSettings settings(String domain, int port, Optional<S2sTls> tls, String secret, PeerPolicy policy) {
        return S2sSettings.of(Set.of(domain), "127.0.0.1", port, tls, secret).withDefaultPolicy(policy)
                .withLimits(64 * 1024, NEGOTIATION, Duration.ofMinutes(5));
    }

    private Optional<S2sTls> tls(TestCertificates.Issued issued) {
        return Optional.of(new S2sTls(issued.chain(), issued.key(), Optional.of(ca.caFile())));
    }

    private S2sService start(S2sSettings settings, RecordingHandler recorder) {
        S2sService service = new S2sService(settings.withStaticRoute("never-used.test",
                PeerAddress.of("127.0.0.1", 9)), recorder);
        services.add(service);
        service.start();
        return service;
    }

    private static void assertDelivered(S2sService from, XmppMessage message, RecordingHandler at) throws Exception {
        from.send(message).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        XmppMessage received = at.takeMessage(WAIT);
        assertThat(received.from()).isEqualTo(message.from());
        assertThat(received.to()).isEqualTo(message.to());
        assertThat(received.body()).isEqualTo(message.body());
    }

    private static XmppException sendFails(S2sService service, XmppMessage message) throws Exception {
        return failure(service.send(message));
    }

    private static XmppException sendFails(S2sService service, XmppPresence presence) throws Exception {
        return failure(service.send(presence));
    }

    private static XmppException sendFails(S2sService service, XmppSubscription subscription) throws Exception {
        return failure(service.send(subscription));
    }

    private static XmppException failure(CompletableFuture<Void> sent) throws Exception {
        try {
            sent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(XmppException.class);
            return (XmppException) e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("the send neither succeeded nor failed within " + WAIT);
        }
        throw new AssertionError("the send succeeded");
    }

    private static XmppMessage message(String from, String to, String body) {
        return new XmppMessage(Jid.parse(from).orThrow(), Jid.parse(to).orThrow(), Optional.of("m-" + body),
                MessageType.CHAT, Optional.empty(), Optional.of(body), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    private static String header(String from, String to) {
        return "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'"
                + " xmlns:db='jabber:server:dialback' from='" + from + "' to='" + to + "' version='1.0'>";
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
