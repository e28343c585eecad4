package org.isthmus.xmpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.message.MessageType;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.mapping.presence.PresenceType;
import org.isthmus.mapping.presence.Show;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.subscription.XmppSubscription;
import org.isthmus.mapping.subscription.XmppSubscriptionType;
import org.isthmus.xmpp.stream.Namespaces;
import org.isthmus.xmpp.stream.StreamError;
import org.isthmus.xmpp.stream.StreamErrorCondition;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.testing.ComponentServer;
import org.isthmus.xmpp.testing.RecordingHandler;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ComponentLinkTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String DOMAIN = "sip.example.net";
    private static final String SECRET = "s3cr3t";
    private static final Jid JULIET = Jid.parse("juliet@example.com/balcony").orThrow();
    private static final Jid ROMEO = Jid.parse("romeo\\40sip.example.org@sip.example.net").orThrow();

    private final RecordingHandler handler = new RecordingHandler();
    private ComponentServer server;
    private ComponentLink link;

    @AfterEach
    void tearDown() {
        if (link != null) {
            link.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static ComponentSettings settings(int port, String secret) {
        return new ComponentSettings("127.0.0.1", port, DOMAIN, secret, Duration.ofMillis(50), Duration.ofMillis(400),
                Duration.ofSeconds(2), 64 * 1024);
    }

    private void connect() {
        server = ComponentServer.start(DOMAIN, SECRET);
        link = new ComponentLink(settings(server.port(), SECRET), handler);
        link.start();
        server.awaitConnected(WAIT);
        assertThat(handler.takeState(WAIT)).isEqualTo(
                new RecordingHandler.State(DOMAIN, true, "handshake accepted by 127.0.0.1:" + server.port()));
        assertThat(link.isUp()).isTrue();
    }

    private static XmppMessage chat(String id, String body) {
        return new XmppMessage(ROMEO, JULIET, Optional.of(id), MessageType.CHAT, Optional.empty(), Optional.of(body),
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    @Test
    void completesTheHandshakeAndReportsTheLinkUp() {
        connect();
        assertThat(server.acceptedHandshakes()).isEqualTo(1);
    }

    @Test
    void retriesAfterAWrongSecretIsRefusedAndComesUpOnceTheSecretMatches() {
        server = ComponentServer.start(DOMAIN, "the-real-secret");
        link = new ComponentLink(settings(server.port(), SECRET), handler);
        link.start();
        server.awaitRejectedHandshakes(3, WAIT);
        assertThat(link.isUp()).isFalse();
        assertThat(handler.pollState(Duration.ZERO)).isNull();

        server.setSecret(SECRET);
        server.awaitConnected(WAIT);
        assertThat(handler.takeState(WAIT).up()).isTrue();
    }

    /** A server that stops reading makes send() refuse stanzas (bounded queue), and accept again once it reads. */
    @Test
    void refusesStanzasWhileTheServerIsNotReadingInsteadOfQueueingWithoutBound() throws Exception {
        connect();
        server.setReading(false);
        String body = "x".repeat(8000);
        XmppException refused = null;
        int accepted = 0;
        for (int i = 0; i < 5000 && refused == null; i++) {
            CompletableFuture<Void> f = link.send(chat("bulk" + i, body));
            if (f.isCompletedExceptionally()) {
                refused = (XmppException) f.handle((v, e) -> e).get();
            } else {
                accepted++;
            }
        }
        assertThat(refused).as("a refusal within 5000 stanzas of 8 KB").isNotNull();
        assertThat(refused).hasMessageContaining("outbound queue full");
        assertThat(accepted).isPositive();
        assertThat(link.isUp()).isTrue();

        server.setReading(true);
        long deadline = System.nanoTime() + WAIT.toNanos();
        CompletableFuture<Void> again;
        do {
            assertThat(System.nanoTime()).as("send accepted again once the server reads").isLessThan(deadline);
            Thread.sleep(20);
            again = link.send(chat("after", "drained"));
        } while (again.isCompletedExceptionally());
        again.get(5, TimeUnit.SECONDS);
    }

    /** XEP-0199: an idle link pings through the server and back, and stays up while the answers come. */
    @Test
    void anIdleLinkPingsThroughTheServerAndStaysUp() throws Exception {
        server = ComponentServer.start(DOMAIN, SECRET);
        server.setRoutesToComponent(true);
        link = new ComponentLink(withPing(settings(server.port(), SECRET), Duration.ofMillis(150)), handler);
        link.start();
        server.awaitConnected(WAIT);
        assertThat(handler.takeState(WAIT).up()).isTrue();
        Thread.sleep(1200);
        assertThat(link.isUp()).isTrue();
        assertThat(server.acceptedHandshakes()).as("no reconnect while pings are answered").isEqualTo(1);
        assertThat(handler.pollState(Duration.ZERO)).isNull();
        XmlElement ping = server.takeElement(WAIT);
        assertThat(ping.attribute("type")).contains("get");
        assertThat(ping.child("urn:xmpp:ping", "ping")).isPresent();
    }

    /** XEP-0199: a server that says nothing for two ping intervals is taken for dead; the link reconnects. */
    @Test
    void aSilentServerIsDroppedAfterAnUnansweredPingAndTheLinkReconnects() {
        server = ComponentServer.start(DOMAIN, SECRET);
        link = new ComponentLink(withPing(settings(server.port(), SECRET), Duration.ofMillis(150)), handler);
        link.start();
        assertThat(handler.takeState(WAIT).up()).isTrue();
        RecordingHandler.State down = handler.takeState(WAIT);
        assertThat(down.up()).isFalse();
        assertThat(down.reason()).contains("no answer").contains("ping");
        assertThat(handler.takeState(WAIT).up()).as("reconnected").isTrue();
    }

    private static ComponentSettings withPing(ComponentSettings s, Duration ping) {
        return new ComponentSettings(s.host(), s.port(), s.domain(), s.secret(), s.initialBackoff(), s.maxBackoff(),
                s.connectTimeout(), s.maxStanzaBytes(), ping);
    }

    @Test
    void deliversAnInboundMessageToTheHandler() {
        connect();
        server.send("<message from='juliet@example.com/balcony' to='romeo\\40sip.example.org@sip.example.net'"
                + " type='chat' id='in1'><body>hi 😀 &amp; ü</body></message>");
        assertThat(handler.takeMessage(WAIT)).isEqualTo(new XmppMessage(JULIET, ROMEO, Optional.of("in1"),
                MessageType.CHAT, Optional.empty(), Optional.of("hi 😀 & ü"), Optional.empty(), Optional.empty(),
                Optional.empty()));
    }

    /**
     * Stanzas sent from several threads at once leave in batches (one write and flush for what waits);
     * every one arrives once, each thread's in the order sent, and every future completes.
     */
    @Test
    void sendsBurstsFromSeveralThreadsOnceEachAndInOrderPerThread() throws Exception {
        connect();
        int threads = 4;
        int each = 300;
        List<List<CompletableFuture<Void>>> sent = new ArrayList<>();
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String prefix = "t" + t + "-";
            List<CompletableFuture<Void>> mine = new ArrayList<>();
            sent.add(mine);
            senders.add(new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    mine.add(link.send(chat(prefix + i, "burst")));
                }
            }));
        }
        senders.forEach(Thread::start);
        for (Thread sender : senders) {
            sender.join(WAIT.toMillis());
            assertThat(sender.isAlive()).isFalse();
        }
        CompletableFuture.allOf(sent.stream().flatMap(List::stream).toArray(CompletableFuture[]::new))
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        int[] next = new int[threads];
        for (int n = 0; n < threads * each; n++) {
            XmlElement stanza = server.takeElement(WAIT);
            String[] id = stanza.attribute("id").orElseThrow().substring(1).split("-");
            int thread = Integer.parseInt(id[0]);
            assertThat(Integer.parseInt(id[1])).as("stanza %d of thread %d", next[thread], thread)
                    .isEqualTo(next[thread]);
            next[thread]++;
        }
        assertThat(next).containsOnly(each);
        assertThat(server.poll(Duration.ofMillis(200))).isEmpty();
    }

    @Test
    void sendsAnOutboundMessageAndCompletesOnceFlushed() throws Exception {
        connect();
        CompletableFuture<Void> sent = link.send(chat("out1", "Wherefore art thou? <3 😀"));
        sent.get(5, TimeUnit.SECONDS);
        assertThat(server.take(WAIT)).isEqualTo("<message from='romeo\\40sip.example.org@sip.example.net'"
                + " to='juliet@example.com/balcony' id='out1' type='chat'><body>Wherefore art thou? &lt;3 😀</body></message>");
    }

    @Test
    void reportsTheLinkDownWhenTheServerDropsItAndReconnects() {
        connect();
        server.dropConnection();
        RecordingHandler.State down = handler.takeState(WAIT);
        assertThat(down.up()).isFalse();
        assertThat(down.domain()).isEqualTo(DOMAIN);
        assertThat(handler.takeState(WAIT).up()).isTrue();
        server.awaitConnected(WAIT);
        assertThat(server.acceptedHandshakes()).isEqualTo(2);
        assertThat(link.isUp()).isTrue();
    }

    @Test
    void comesUpWhenTheServerRestartsOnTheSamePort() {
        connect();
        int port = server.port();
        server.close();
        assertThat(handler.takeState(WAIT).up()).isFalse();
        server = ComponentServer.start(DOMAIN, SECRET, port);
        server.awaitConnected(WAIT);
        assertThat(handler.takeState(WAIT).up()).isTrue();
    }

    @Test
    void failsASendAtOnceWhileTheLinkIsDown() throws IOException {
        link = new ComponentLink(settings(freePort(), SECRET), handler);
        CompletableFuture<Void> notStarted = link.send(chat("d1", "x"));
        assertThat(notStarted).isCompletedExceptionally();
        link.start();
        CompletableFuture<Void> noServer = link.send(chat("d2", "x"));
        assertThat(noServer).isCompletedExceptionally();
        assertThatThrownBy(noServer::join).hasCauseInstanceOf(XmppException.class).hasMessageContaining("d2");
    }

    @Test
    void refusesToSendAMessageFromOutsideTheComponentDomain() {
        connect();
        XmppMessage foreign = new XmppMessage(JULIET, ROMEO, Optional.of("f1"), MessageType.CHAT, Optional.empty(),
                Optional.of("x"), Optional.empty(), Optional.empty(), Optional.empty());
        assertThat(link.send(foreign)).isCompletedExceptionally();
        assertThat(link.isUp()).isTrue();
    }

    @Test
    void waitsForAServerThatIsNotThereYetAndConnectsWhenItAppears() throws IOException {
        int port = freePort();
        link = new ComponentLink(settings(port, SECRET), handler);
        link.start();
        assertThat(handler.pollState(Duration.ofMillis(500))).isNull();
        server = ComponentServer.start(DOMAIN, SECRET, port);
        server.awaitConnected(WAIT);
        assertThat(handler.takeState(WAIT).up()).isTrue();
    }

    @Test
    void answersAnXep0199PingFromTheServer() {
        connect();
        server.send("<iq from='example.com' to='sip.example.net' id='ping1' type='get'><ping xmlns='urn:xmpp:ping'/></iq>");
        assertThat(server.take(WAIT)).isEqualTo("<iq from='sip.example.net' to='example.com' id='ping1' type='result'/>");
    }

    @Test
    void answersDiscoInfoWithTheGatewayIdentity() {
        connect();
        server.send("<iq from='juliet@example.com/balcony' to='sip.example.net' id='d1' type='get'>"
                + "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
        XmlElement reply = server.takeElement(WAIT);
        assertThat(reply.attribute("type")).contains("result");
        XmlElement identity = reply.children().get(0).children().get(0);
        assertThat(identity.attributes()).containsEntry("category", "gateway").containsEntry("type", "sip")
                .containsEntry("name", "Isthmus");
    }

    @Test
    void answersAMessageWithAMalformedAddressWithJidMalformedAndDoesNotDeliverIt() {
        connect();
        server.send("<message from='juliet@example.com/balcony' to='bad@@sip.example.net' id='m1' type='chat'>"
                + "<body>x</body></message>");
        XmlElement reply = server.takeElement(WAIT);
        assertThat(reply.attribute("type")).contains("error");
        assertThat(reply.attribute("from")).contains("sip.example.net");
        assertThat(reply.attribute("to")).contains("juliet@example.com/balcony");
        assertThat(reply.child(Namespaces.COMPONENT_ACCEPT, "error").orElseThrow()
                .child("urn:ietf:params:xml:ns:xmpp-stanzas", "jid-malformed")).isPresent();
        assertThat(handler.pollMessage(Duration.ofMillis(200))).isNull();
        assertThat(link.isUp()).isTrue();
    }

    // --- presence (RFC 6121 §3, §4) ---

    private static final Jid ROMEO_BARE = ROMEO.bare();

    @Test
    void deliversInboundAvailabilityPresenceToTheHandler() {
        connect();
        server.send("<presence from='juliet@example.com/balcony' to='romeo\\40sip.example.org@sip.example.net'"
                + " id='p1' xml:lang='en'><show>dnd</show><status>Wooing Romeo</status>"
                + "<status xml:lang='cs'>Dvořím se Romeovi</status><priority>1</priority></presence>");
        assertThat(handler.takePresence(WAIT)).isEqualTo(XmppPresence.available(JULIET, ROMEO).withId("p1")
                .withLang("en").withShow(Show.DND).withPriority(1).withStatuses(List.of(
                        LocalizedText.of("Wooing Romeo"), LocalizedText.in("cs", "Dvořím se Romeovi"))));
        server.send("<presence from='juliet@example.com/balcony' to='romeo\\40sip.example.org@sip.example.net'"
                + " type='unavailable'/>");
        assertThat(handler.takePresence(WAIT)).isEqualTo(XmppPresence.unavailable(JULIET, ROMEO));
        server.send("<presence from='juliet@example.com' to='romeo\\40sip.example.org@sip.example.net' id='s1'"
                + " type='error'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                + "</error></presence>");
        XmppPresence error = handler.takePresence(WAIT);
        assertThat(error.type()).isEqualTo(PresenceType.ERROR);
        assertThat(error.id()).contains("s1");
        assertThat(error.error().orElseThrow().condition()).isEqualTo(StanzaErrorCondition.ITEM_NOT_FOUND);
        assertThat(server.poll(Duration.ofMillis(200))).as("nothing answered").isEmpty();
    }

    @Test
    void deliversEverySubscriptionTypeAndTheProbeToTheHandler() {
        connect();
        for (XmppSubscriptionType type : List.of(XmppSubscriptionType.SUBSCRIBE, XmppSubscriptionType.SUBSCRIBED,
                XmppSubscriptionType.UNSUBSCRIBE, XmppSubscriptionType.UNSUBSCRIBED, XmppSubscriptionType.PROBE)) {
            server.send("<presence from='juliet@example.com' to='romeo\\40sip.example.org@sip.example.net'"
                    + " id='" + type.wireName() + "-1' type='" + type.wireName() + "'/>");
            assertThat(handler.takeSubscription(WAIT)).isEqualTo(XmppSubscription.of(JULIET.bare(), ROMEO_BARE, type,
                    Optional.of(type.wireName() + "-1")));
        }
        assertThat(handler.pollPresence(Duration.ofMillis(200))).isNull();
        assertThat(handler.pollSubscription(Duration.ZERO)).isNull();
    }

    @Test
    void sendsAnOutboundPresenceAndCompletesOnceFlushed() throws Exception {
        connect();
        XmppPresence away = XmppPresence.available(ROMEO, JULIET).withId("out-p1").withShow(Show.AWAY)
                .withStatuses(List.of(LocalizedText.of("on the phone <3")));
        link.send(away).get(5, TimeUnit.SECONDS);
        assertThat(server.take(WAIT)).isEqualTo("<presence from='romeo\\40sip.example.org@sip.example.net'"
                + " to='juliet@example.com/balcony' id='out-p1'><show>away</show><status>on the phone &lt;3</status>"
                + "</presence>");
    }

    /** Every type the subscription layer sends, including the bare unavailable and the error answer. */
    @Test
    void sendsOutboundSubscriptionStanzasOfEveryType() throws Exception {
        connect();
        for (XmppSubscriptionType type : XmppSubscriptionType.values()) {
            XmppSubscription s = type == XmppSubscriptionType.ERROR
                    ? XmppSubscription.of(JULIET.bare(), ROMEO_BARE, XmppSubscriptionType.SUBSCRIBE, Optional.of("e-1"))
                            .errorReply(StanzaError.of(StanzaErrorCondition.ITEM_NOT_FOUND, null))
                    : XmppSubscription.of(ROMEO_BARE, JULIET.bare(), type, Optional.of(type.wireName() + "-1"));
            link.send(s).get(5, TimeUnit.SECONDS);
            String expected = type == XmppSubscriptionType.ERROR
                    ? "<presence from='romeo\\40sip.example.org@sip.example.net' to='juliet@example.com' id='e-1'"
                            + " type='error'><error type='cancel'><item-not-found"
                            + " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"
                    : "<presence from='romeo\\40sip.example.org@sip.example.net' to='juliet@example.com' id='"
                            + type.wireName() + "-1' type='" + type.wireName() + "'/>";
            assertThat(server.take(WAIT)).isEqualTo(expected);
        }
    }

    /** RFC 6121 §4.7.2.3, RFC 6120 §8.3.3.1: a priority out of range is answered with bad-request. */
    @Test
    void answersABadPresenceWithBadRequestAndDoesNotDeliverIt() {
        connect();
        server.send("<presence from='juliet@example.com/balcony' to='romeo\\40sip.example.org@sip.example.net'"
                + " id='bad1'><priority>200</priority></presence>");
        XmlElement reply = server.takeElement(WAIT);
        assertThat(reply.name()).isEqualTo("presence");
        assertThat(reply.attributes()).containsEntry("type", "error").containsEntry("id", "bad1")
                .containsEntry("from", "romeo\\40sip.example.org@sip.example.net")
                .containsEntry("to", "juliet@example.com/balcony");
        assertThat(reply.child(Namespaces.COMPONENT_ACCEPT, "error").orElseThrow()
                .child(StanzaErrorCondition.NAMESPACE, "bad-request")).isPresent();
        assertThat(handler.pollPresence(Duration.ofMillis(200))).isNull();
        assertThat(handler.pollSubscription(Duration.ZERO)).isNull();
        assertThat(link.isUp()).isTrue();
    }

    @Test
    void failsPresenceSendsAtOnceWhileTheLinkIsDownOrFromAnotherDomain() throws IOException {
        link = new ComponentLink(settings(freePort(), SECRET), handler);
        CompletableFuture<Void> down = link.send(XmppPresence.available(ROMEO, JULIET).withId("d3"));
        assertThat(down).isCompletedExceptionally();
        assertThatThrownBy(down::join).hasCauseInstanceOf(XmppException.class).hasMessageContaining("presence id=d3");
        assertThat(link.send(XmppSubscription.of(ROMEO_BARE, JULIET, XmppSubscriptionType.PROBE, Optional.empty())))
                .isCompletedExceptionally();
        link.close();
        link = null;
        connect();
        assertThat(link.send(XmppPresence.available(JULIET, ROMEO))).isCompletedExceptionally();
        assertThat(link.send(XmppSubscription.of(JULIET, ROMEO, XmppSubscriptionType.SUBSCRIBE, Optional.empty())))
                .isCompletedExceptionally();
        assertThat(link.isUp()).isTrue();
    }

    @Test
    void closesTheStreamWithUnsupportedStanzaTypeOnAnUnknownElementAndReconnects() {
        connect();
        server.send("<foo xmlns='urn:example:unknown'/>");
        XmlElement error = server.takeElement(WAIT);
        assertThat(StreamError.fromElement(error).map(StreamError::condition))
                .contains(StreamErrorCondition.UNSUPPORTED_STANZA_TYPE);
        assertThat(handler.takeState(WAIT).up()).isFalse();
        assertThat(handler.takeState(WAIT).up()).isTrue();
    }

    @Test
    void closeEndsTheStreamStopsReconnectingAndIsIdempotent() {
        connect();
        link.close();
        server.awaitClosedStreams(1, WAIT);
        server.awaitDisconnected(WAIT);
        assertThat(handler.takeState(WAIT).up()).isFalse();
        assertThat(link.isUp()).isFalse();
        link.close();
        assertThat(link.send(chat("c1", "x"))).isCompletedExceptionally();
        assertThat(handler.pollState(Duration.ofMillis(300))).isNull();
        assertThat(server.acceptedHandshakes()).isEqualTo(1);
    }

    @Test
    void closesWithinBoundedTimeWhileStillWaitingForTheServer() throws IOException {
        link = new ComponentLink(settings(freePort(), SECRET), handler);
        link.start();
        long start = System.nanoTime();
        link.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
