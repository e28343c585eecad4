package org.isthmus.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MinExpiresHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.pidf.PidfParser;
import org.isthmus.mapping.document.pidf.PresenceDocument;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SecuredObject;
import org.isthmus.mapping.subscription.SubscriptionState;
import org.isthmus.sip.presence.NotifyOutcome;
import org.isthmus.sip.presence.NotifyRequest;
import org.isthmus.sip.presence.PublishOutcome;
import org.isthmus.sip.presence.SubscribeOutcome;
import org.isthmus.sip.presence.SubscribeRequest;
import org.isthmus.sip.presence.SubscriptionDialog;
import org.isthmus.sip.presence.SubscriptionDialogCodec;
import org.isthmus.sip.testing.TestUserAgent;

/**
 * Presence through the edge (RFC 6665, RFC 3856, RFC 3903), with a test user agent as SIP watcher, notifier
 * and presence server, and {@link RecordingHandler} as the gateway holding the dialogs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SipEdgePresenceTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String HOST = "127.0.0.1";
    private static final String JULIET = "<sip:juliet@xmpp.example>";
    private static final String ROMEO = "<sip:romeo@sip.example>";
    private static final byte[] PIDF = ("<?xml version='1.0' encoding='UTF-8'?>"
            + "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='pres:romeo@sip.example'>"
            + "<tuple id='t1'><status><basic>open</basic></status></tuple></presence>")
            .getBytes(StandardCharsets.UTF_8);

    private final RecordingHandler handler = new RecordingHandler();
    private SipEdge edge;
    private int edgePort;
    private TestUserAgent ua;

    @BeforeAll
    void start() {
        edgePort = TestUserAgent.freePort(HOST);
        edge = new SipEdge(settings(edgePort), handler, timers());
        edge.start();
        ua = TestUserAgent.start(HOST);
    }

    private static SipSettings settings(int port) {
        return new SipSettings(HOST, port, Set.of("udp", "tcp"), Optional.empty(), "Isthmus-test/0")
                .withPresence(new SipPresence(60, 7200));
    }

    private static EdgeTimers timers() {
        return new EdgeTimers(Duration.ofSeconds(2), Duration.ofSeconds(35), Optional.empty(), Duration.ofSeconds(2));
    }

    @AfterAll
    void stop() {
        ua.close();
        edge.close();
    }

    @BeforeEach
    void reset() {
        handler.reset();
        ua.reset();
    }

    // ---- the edge as notifier ------------------------------------------------------------------------

    private String edgeUri(String user, String transport) {
        return "sip:" + user + "@" + HOST + ":" + edgePort + (transport.equals("udp") ? "" : ";transport=" + transport);
    }

    /** A presence SUBSCRIBE from romeo (the test agent) to juliet at the edge. */
    private Request subscribe(String transport, String event, Long expires) {
        Request request = ua.request(Request.SUBSCRIBE, edgeUri("juliet", transport), ROMEO, JULIET);
        ua.with(request, "Contact", "<" + ua.uri("romeo", transport) + ">");
        if (event != null) {
            ua.with(request, "Event", event);
        }
        if (expires != null) {
            ua.with(request, "Expires", Long.toString(expires));
        }
        ua.with(request, "Accept", "application/pidf+xml");
        return request;
    }

    @Test
    void subscribeForAnotherEventGets489WithAllowEvents() {
        Response response = ua.send(subscribe("udp", "dialog", 600L), WAIT);

        assertThat(response.getStatusCode()).isEqualTo(489);
        assertThat(response.getHeader("Allow-Events").toString()).contains("presence");
        assertThat(handler.subscribes).isEmpty();
    }

    @Test
    void subscribeWithoutEventGets489() {
        assertThat(ua.send(subscribe("udp", null, 600L), WAIT).getStatusCode()).isEqualTo(489);
    }

    @Test
    void subscribeAcceptingNoPidfGets406() {
        Request request = ua.request(Request.SUBSCRIBE, edgeUri("juliet", "udp"), ROMEO, JULIET);
        ua.with(request, "Contact", "<" + ua.uri("romeo", "udp") + ">");
        ua.with(request, "Event", "presence");
        ua.with(request, "Accept", "application/xpidf+xml");

        Response response = ua.send(request, WAIT);

        assertThat(response.getStatusCode()).isEqualTo(406);
        assertThat(response.getHeader("Accept").toString()).contains("application/pidf+xml");
    }

    @Test
    void subscribeTooBriefGets423WithMinExpires() {
        Response response = ua.send(subscribe("udp", "presence", 10L), WAIT);

        assertThat(response.getStatusCode()).isEqualTo(423);
        assertThat(((MinExpiresHeader) response.getHeader(MinExpiresHeader.NAME)).getExpires()).isEqualTo(60);
        assertThat(handler.subscribes).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"udp", "tcp"})
    void acceptedSubscribeGets200ThenPendingNotifyThenTheGatewaysActiveNotifyWithPidf(String transport)
            throws Exception {
        Request request = subscribe(transport, "presence", 100_000L);

        Response ok = ua.send(request, WAIT);

        // RFC 6665 §8.3.1: 200, never 202; Expires capped at the maximum; a Contact; our To tag.
        assertThat(ok.getStatusCode()).isEqualTo(200);
        assertThat(((ExpiresHeader) ok.getHeader(ExpiresHeader.NAME)).getExpires()).isEqualTo(7200);
        assertThat(ok.getHeader(ContactHeader.NAME)).isNotNull();
        String edgeTag = ((ToHeader) ok.getHeader(ToHeader.NAME)).getTag();
        SubscribeRequest up = handler.awaitSubscribe(WAIT);
        assertThat(up.created()).isPresent();
        SubscriptionDialog dialog = up.created().get();
        assertThat(dialog.localTag()).isEqualTo(edgeTag);
        assertThat(dialog.remoteTag()).isEqualTo(((FromHeader) request.getHeader(FromHeader.NAME)).getTag());
        assertThat(dialog.remoteTarget().toString()).isEqualTo(ua.uri("romeo", transport));
        assertThat(up.subscribe().watcher().toString()).isEqualTo("sip:romeo@sip.example");
        assertThat(up.expires()).isEqualTo(7200);

        // §4.2.1.4: the first NOTIFY at once, with the state the gateway chose.
        TestUserAgent.Received first = ua.awaitRequest(WAIT);
        assertThat(first.transport()).isEqualTo(transport);
        assertInDialog(first.request(), request, edgeTag, 1);
        assertThat(first.request().getHeader("Subscription-State").toString()).contains("pending;expires=");
        assertThat(first.request().getRawContent()).isNull();

        // The gateway's later NOTIFY: active with PIDF, CSeq 2, from the stored value.
        SubscriptionDialog stored = handler.stored(dialog.key()).orElseThrow();
        PresenceDocument doc = new PidfParser().parse(PIDF).orThrow();
        NotifyOutcome outcome = edge.sendNotify(stored, new SubscriptionState.Active(OptionalLong.empty()),
                Optional.of(doc)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(outcome.outcome().status().code()).isEqualTo(200);
        assertThat(outcome.dialog().localCseq()).isEqualTo(2);
        Request second = ua.awaitRequest(WAIT).request();
        assertInDialog(second, request, edgeTag, 2);
        assertThat(second.getHeader("Subscription-State").toString()).contains("active;expires=");
        assertThat(second.getHeader("Content-Type").toString()).contains("application/pidf+xml");
        assertThat(new PidfParser().parse(second.getRawContent()).orThrow().tuples()).hasSize(1);
    }

    @Test
    void theGatewaysSecuredNotifyCarriesTheSmimeObjectByteForByteUnderItsOwnType() throws Exception {
        Request request = subscribe("tcp", "presence", 600L);
        Response ok = ua.send(request, WAIT);
        assertThat(ok.getStatusCode()).isEqualTo(200);
        String edgeTag = ((ToHeader) ok.getHeader(ToHeader.NAME)).getTag();
        SubscriptionDialog dialog = handler.awaitSubscribe(WAIT).created().orElseThrow();
        ua.awaitRequest(WAIT);
        SubscriptionDialog stored = handler.stored(dialog.key()).orElseThrow();
        // A binary body with a NUL and bare CR/LF octets: an enveloped object is DER (RFC 5751 §3.3).
        byte[] der = {0x30, (byte) 0x80, 0x06, 0x09, 0x00, 0x0d, 0x0a, 0x0a, (byte) 0xff, 0x00, 0x00};
        MediaType type = new MediaType("application", "pkcs7-mime",
                Map.of("smime-type", "enveloped-data", "name", "smime.p7m"));

        NotifyOutcome outcome = edge.sendNotify(stored, new SubscriptionState.Active(OptionalLong.empty()),
                new SecuredObject(type, der), Optional.of("xmpp.example; smime=none"))
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(outcome.outcome().status().code()).isEqualTo(200);
        Request notify = ua.awaitRequest(WAIT).request();
        assertInDialog(notify, request, edgeTag, 2);
        assertThat(notify.getRawContent()).isEqualTo(der);
        assertThat(notify.getHeader("Content-Type").toString()).contains("application/pkcs7-mime")
                .contains("smime-type=enveloped-data").contains("name=smime.p7m");
        assertThat(notify.getHeader("Authentication-Results").toString()).contains("xmpp.example; smime=none");
        assertThat(notify.getHeader("Subscription-State").toString()).contains("active;expires=");
    }

    @Test
    void aNotifyWithASecuredPidfIsPassedUpUnreadWithItsParties() throws Exception {
        subscribed("udp");
        Request subscribe = ua.awaitRequest(WAIT).request();
        byte[] signed = ("--b\r\nContent-Type: application/pidf+xml\r\n\r\nnot even XML\r\n--b\r\n"
                + "Content-Type: application/pkcs7-signature\r\n\r\nxx\r\n--b--\r\n").getBytes(StandardCharsets.UTF_8);
        Request notify = ua.notifyFor(subscribe, "n-tag", 2, "active;expires=600", null, "udp");
        notify.setContent(signed, (javax.sip.header.ContentTypeHeader) javax.sip.SipFactory.getInstance()
                .createHeaderFactory().createHeader("Content-Type",
                        "multipart/signed; boundary=b; protocol=\"application/pkcs7-signature\"; micalg=sha-256"));
        handler.notifies.clear();

        Response response = ua.send(notify, WAIT);

        assertThat(response.getStatusCode()).isEqualTo(200);
        NotifyRequest up = handler.awaitNotify(WAIT);
        assertThat(up.presence()).isEmpty();
        assertThat(up.hasBody()).isTrue();
        SecuredObject object = up.secured().orElseThrow();
        assertThat(object.kind()).isEqualTo(SecuredObject.Kind.SIGNED);
        assertThat(object.body()).isEqualTo(signed);
        assertThat(object.contentType().parameter("protocol")).hasValue("application/pkcs7-signature");
        assertThat(up.presentity().orElseThrow().toString()).contains("romeo");
        assertThat(up.watcher()).hasValue(WATCHER);
    }

    /** The NOTIFY's dialog identifiers: Call-ID, From tag ours, To tag the watcher's, CSeq, Event. */
    private static void assertInDialog(Request notify, Request subscribe, String edgeTag, long cseq) {
        assertThat(notify.getMethod()).isEqualTo(Request.NOTIFY);
        assertThat(((CallIdHeader) notify.getHeader(CallIdHeader.NAME)).getCallId())
                .isEqualTo(((CallIdHeader) subscribe.getHeader(CallIdHeader.NAME)).getCallId());
        assertThat(((FromHeader) notify.getHeader(FromHeader.NAME)).getTag()).isEqualTo(edgeTag);
        assertThat(((ToHeader) notify.getHeader(ToHeader.NAME)).getTag())
                .isEqualTo(((FromHeader) subscribe.getHeader(FromHeader.NAME)).getTag());
        assertThat(((CSeqHeader) notify.getHeader(CSeqHeader.NAME)).getSeqNumber()).isEqualTo(cseq);
        assertThat(notify.getHeader("Event").toString()).contains("presence");
        assertThat(notify.getHeader(ContactHeader.NAME)).isNotNull();
    }

    @Test
    void refreshInTheDialogGets200AndANotifyWithTheNextCseq() throws Exception {
        Request request = subscribe("udp", "presence", 600L);
        Response ok = ua.send(request, WAIT);
        String edgeTag = ((ToHeader) ok.getHeader(ToHeader.NAME)).getTag();
        ua.awaitRequest(WAIT);
        handler.awaitSubscribe(WAIT);

        Request refresh = ua.inDialog(request, ok, Request.SUBSCRIBE, 2, "udp");
        ua.with(refresh, "Event", "presence");
        ua.with(refresh, "Expires", "1200");
        Response refreshed = ua.send(refresh, WAIT);

        assertThat(refreshed.getStatusCode()).isEqualTo(200);
        assertThat(((ExpiresHeader) refreshed.getHeader(ExpiresHeader.NAME)).getExpires()).isEqualTo(1200);
        SubscribeRequest up = handler.awaitSubscribe(WAIT);
        assertThat(up.existing()).isPresent();
        assertThat(up.subscribe().inDialog()).isTrue();
        assertInDialog(ua.awaitRequest(WAIT).request(), request, edgeTag, 2);
        SubscriptionDialog stored = handler.stored(up.existing().get()).orElseThrow();
        assertThat(stored.remoteCseq()).isEqualTo(2);
        assertThat(stored.localCseq()).isEqualTo(2);
    }

    @Test
    void refreshOfADialogTheGatewayDoesNotHaveGets481() {
        Request request = subscribe("udp", "presence", 600L);
        Response ok = ua.send(request, WAIT);
        ua.awaitRequest(WAIT);
        handler.store.clear();

        Request refresh = ua.inDialog(request, ok, Request.SUBSCRIBE, 2, "udp");
        ua.with(refresh, "Event", "presence");
        ua.with(refresh, "Expires", "600");

        assertThat(ua.send(refresh, WAIT).getStatusCode()).isEqualTo(481);
        assertThat(ua.nothingReceived(Duration.ofMillis(300))).isTrue();
    }

    @Test
    void fetchGets200AndATerminatedTimeoutNotifyWithTheCurrentState() throws Exception {
        handler.onSubscribe = r -> RecordingHandler.done(org.isthmus.sip.presence.SubscribeDecision.accept(
                r.created().orElseThrow(), SubscriptionState.Active.of(0), Optional.of(new PidfParser().parse(PIDF)
                        .orThrow())));
        Request fetch = subscribe("tcp", "presence", 0L);

        Response ok = ua.send(fetch, WAIT);

        assertThat(ok.getStatusCode()).isEqualTo(200);
        assertThat(((ExpiresHeader) ok.getHeader(ExpiresHeader.NAME)).getExpires()).isZero();
        assertThat(handler.awaitSubscribe(WAIT).isFetch()).isTrue();
        Request notify = ua.awaitRequest(WAIT).request();
        assertThat(notify.getHeader("Subscription-State").toString()).contains("terminated;reason=timeout");
        assertThat(notify.getRawContent()).isNotNull();
    }

    @Test
    void unsubscribeGets200AndATerminatedNotify() throws Exception {
        Request request = subscribe("udp", "presence", 600L);
        Response ok = ua.send(request, WAIT);
        ua.awaitRequest(WAIT);
        handler.awaitSubscribe(WAIT);

        Request unsubscribe = ua.inDialog(request, ok, Request.SUBSCRIBE, 2, "udp");
        ua.with(unsubscribe, "Event", "presence");
        ua.with(unsubscribe, "Expires", "0");

        assertThat(ua.send(unsubscribe, WAIT).getStatusCode()).isEqualTo(200);
        assertThat(handler.awaitSubscribe(WAIT).isUnsubscribe()).isTrue();
        Request notify = ua.awaitRequest(WAIT).request();
        assertThat(notify.getHeader("Subscription-State").toString()).contains("terminated;reason=timeout");
        assertThat(handler.store).isEmpty();
    }

    /**
     * Issue 5 "Done when": a NOTIFY in an existing subscription dialog is sent correctly by a freshly
     * restarted Isthmus from the stored dialog value. The dialog is stored as codec text by the first edge,
     * which is closed; a new edge (new JAIN-SIP stack, new port) parses it and sends the NOTIFY.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"udp", "tcp"})
    void aRestartedEdgeSendsTheNextNotifyFromTheStoredDialogValue(String transport) throws Exception {
        int firstPort = TestUserAgent.freePort(HOST);
        RecordingHandler firstGateway = new RecordingHandler();
        String storedText;
        Request request;
        String edgeTag;
        try (SipEdge first = new SipEdge(settings(firstPort), firstGateway, timers())) {
            first.start();
            request = ua.request(Request.SUBSCRIBE, "sip:juliet@" + HOST + ":" + firstPort
                    + (transport.equals("udp") ? "" : ";transport=" + transport), ROMEO, JULIET);
            ua.with(request, "Contact", "<" + ua.uri("romeo", transport) + ">");
            ua.with(request, "Event", "presence");
            ua.with(request, "Expires", "3600");
            Response ok = ua.send(request, WAIT);
            assertThat(ok.getStatusCode()).isEqualTo(200);
            edgeTag = ((ToHeader) ok.getHeader(ToHeader.NAME)).getTag();
            assertInDialog(ua.awaitRequest(WAIT).request(), request, edgeTag, 1);
            SubscribeRequest up = firstGateway.awaitSubscribe(WAIT);
            storedText = firstGateway.store.get(up.created().orElseThrow().key());
        }
        assertThat(storedText).startsWith(SubscriptionDialogCodec.VERSION_1 + "|");

        int secondPort = TestUserAgent.freePort(HOST);
        try (SipEdge restarted = new SipEdge(settings(secondPort), new RecordingHandler(), timers())) {
            restarted.start();
            SubscriptionDialog dialog = SubscriptionDialogCodec.parse(storedText);

            NotifyOutcome outcome = restarted.sendNotify(dialog, SubscriptionState.Active.of(1800),
                    Optional.of(new PidfParser().parse(PIDF).orThrow())).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

            assertThat(outcome.outcome().status().code()).isEqualTo(200);
            TestUserAgent.Received received = ua.awaitRequest(WAIT);
            assertThat(received.transport()).isEqualTo(transport);
            assertInDialog(received.request(), request, edgeTag, 2);
            assertThat(received.request().getRequestURI().toString()).isEqualTo(ua.uri("romeo", transport));
            assertThat(received.request().getHeader("Subscription-State").toString()).contains("active;expires=1800");
            assertThat(outcome.dialog()).isEqualTo(dialog.withLocalCseq(2));
        }
    }

    @Test
    void aNotifyAnswered481TellsTheGatewayTheWatcherDroppedTheSubscription() throws Exception {
        Request request = subscribe("udp", "presence", 600L);
        ua.send(request, WAIT);
        ua.awaitRequest(WAIT);
        SubscriptionDialog dialog = handler.awaitSubscribe(WAIT).created().orElseThrow();
        ua.answerWith(481, "Subscription does not exist");

        NotifyOutcome outcome = edge.sendNotify(dialog, SubscriptionState.Active.of(600), Optional.empty())
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(outcome.outcome().status().code()).isEqualTo(481);
        assertThat(outcome.subscriptionGone()).isTrue();
    }

    // ---- the edge as subscriber ----------------------------------------------------------------------

    private SipTarget uaTarget(String user, String transport) {
        return SipTarget.direct(SipUri.parse(ua.uri(user, transport)).orThrow());
    }

    private static final SipUri WATCHER = SipUri.of("juliet", "xmpp.example");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"udp", "tcp"})
    void subscribeGets200AndTheDialogValueFromIt(String transport) throws Exception {
        ua.answerWith(r -> new TestUserAgent.Answer(200, "OK", Map.of(
                "Contact", "<" + ua.uri("notifier", transport) + ">", "Expires", "1800",
                "Record-Route", "<sip:p1.example;lr>, <sip:p2.example;lr>"), Optional.of("notifier-tag")));
        SipUri presentity = SipUri.parse(ua.uri("romeo", transport)).orThrow();

        SubscribeOutcome outcome = edge.sendSubscribe(presentity, WATCHER, 3600, uaTarget("romeo", transport))
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        Request sent = ua.awaitRequest(WAIT).request();
        assertThat(sent.getMethod()).isEqualTo(Request.SUBSCRIBE);
        assertThat(sent.getHeader("Event").toString()).contains("presence");
        assertThat(sent.getHeader("Accept").toString()).contains("application/pidf+xml");
        assertThat(((ExpiresHeader) sent.getHeader(ExpiresHeader.NAME)).getExpires()).isEqualTo(3600);
        assertThat(sent.getHeader(ContactHeader.NAME)).isNotNull();
        assertThat(outcome.outcome().status().code()).isEqualTo(200);
        SubscriptionDialog dialog = outcome.dialog().orElseThrow();
        assertThat(dialog.role()).isEqualTo(SubscriptionDialog.Role.SUBSCRIBER);
        assertThat(dialog.callId()).isEqualTo(((CallIdHeader) sent.getHeader(CallIdHeader.NAME)).getCallId());
        assertThat(dialog.localTag()).isEqualTo(((FromHeader) sent.getHeader(FromHeader.NAME)).getTag());
        assertThat(dialog.remoteTag()).isEqualTo("notifier-tag");
        assertThat(dialog.remoteTarget().toString()).isEqualTo(ua.uri("notifier", transport));
        // RFC 3261 §12.1.2: the UAC's route set is the Record-Route list reversed.
        assertThat(dialog.routeSet()).extracting(SipUri::toString)
                .containsExactly("sip:p2.example;lr", "sip:p1.example;lr");
        assertThat(dialog.localCseq()).isEqualTo(1);
        assertThat(dialog.expiresAt()).isBetween(Instant.now().plusSeconds(1790), Instant.now().plusSeconds(1801));
    }

    @Test
    void aNotifyBeforeThe2xxIsPassedUpWithTheDialogItCreates() throws Exception {
        CompletableFuture<NotifyRequest> early = new CompletableFuture<>();
        ua.answerWith(r -> {
            if (!r.getMethod().equals(Request.SUBSCRIBE)) {
                return new TestUserAgent.Answer(200, "OK", Map.of());
            }
            // RFC 6665 §4.1.2.4: the NOTIFY overtakes the 2xx; the SUBSCRIBE is answered once the gateway has it.
            ua.sendAsync(ua.notifyFor(r, "early-tag", 1, "active;expires=900", PIDF, "udp"), WAIT);
            try {
                early.complete(handler.awaitNotify(WAIT));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (AssertionError e) {
                early.completeExceptionally(e);
            }
            return new TestUserAgent.Answer(200, "OK", Map.of("Contact", "<" + ua.uri("notifier", "udp") + ">",
                    "Expires", "900"), Optional.of("early-tag"));
        });

        SubscribeOutcome outcome = edge.sendSubscribe(SipUri.parse(ua.uri("romeo", "udp")).orThrow(), WATCHER, 900,
                uaTarget("romeo", "udp")).get(3 * WAIT.toMillis(), TimeUnit.MILLISECONDS);

        NotifyRequest notify = early.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(notify.pending()).isPresent();
        SubscriptionDialog created = notify.pending().get();
        assertThat(created.remoteTag()).isEqualTo("early-tag");
        assertThat(notify.key()).isEqualTo(created.key());
        assertThat(notify.dialogFor(created)).isPresent();
        assertThat(notify.presence()).isPresent();
        assertThat(notify.state()).isEqualTo(SubscriptionState.Active.of(900));
        assertThat(outcome.outcome().status().code()).isEqualTo(200);
        assertThat(outcome.dialog().orElseThrow().key()).isEqualTo(created.key());
    }

    /** Starts a subscription to the test agent and returns its dialog and the SUBSCRIBE the agent got. */
    private SubscriptionDialog subscribed(String transport) throws Exception {
        // The notifier grants what is asked, at most 600 s (RFC 6665 §4.2.1.1: never more than asked).
        ua.answerWith(r -> new TestUserAgent.Answer(200, "OK", Map.of(
                "Contact", "<" + ua.uri("notifier", transport) + ">", "Expires", Integer.toString(Math.min(600,
                        ((ExpiresHeader) r.getHeader(ExpiresHeader.NAME)).getExpires()))), Optional.of("n-tag")));
        SubscribeOutcome outcome = edge.sendSubscribe(SipUri.parse(ua.uri("romeo", transport)).orThrow(), WATCHER,
                600, uaTarget("romeo", transport)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        return outcome.dialog().orElseThrow();
    }

    @Test
    void aNotifyWithAHostilePidfBodyGets400AndNoUpCall() throws Exception {
        subscribed("udp");
        Request subscribe = ua.awaitRequest(WAIT).request();
        byte[] hostile = ("<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
                + "<!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>]>"
                + "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='pres:romeo@sip.example'>"
                + "<tuple id='t'><status><basic>&lol2;</basic></status></tuple></presence>")
                .getBytes(StandardCharsets.UTF_8);
        handler.notifies.clear();

        Response response = ua.send(ua.notifyFor(subscribe, "n-tag", 2, "active;expires=600", hostile, "udp"), WAIT);

        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(handler.notifies.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aNotifyWithAMalformedSubscriptionStateGets400() throws Exception {
        subscribed("udp");
        Request subscribe = ua.awaitRequest(WAIT).request();
        handler.notifies.clear();

        Response response = ua.send(ua.notifyFor(subscribe, "n-tag", 2, "dormant", null, "udp"), WAIT);

        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(handler.notifies.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aNotifyTheGatewayDoesNotKnowGets481() throws Exception {
        subscribed("udp");
        Request subscribe = ua.awaitRequest(WAIT).request();
        handler.onNotify = n -> RecordingHandler.done(SipStatus.of(481));

        Response response = ua.send(ua.notifyFor(subscribe, "other-tag", 1, "active;expires=600", null, "udp"), WAIT);

        // Another fork than the one that answered, within Timer N: refused by the edge itself.
        assertThat(response.getStatusCode()).isEqualTo(481);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"udp", "tcp"})
    void refreshAndUnsubscribeAreSentInTheDialogFromTheStoredValue(String transport) throws Exception {
        SubscriptionDialog dialog = SubscriptionDialogCodec.parse(SubscriptionDialogCodec.format(subscribed(transport)));
        Request initial = ua.awaitRequest(WAIT).request();

        SubscribeOutcome refreshed = edge.refreshSubscribe(dialog, 1200).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        Request refresh = ua.awaitRequest(WAIT).request();
        assertThat(refresh.getMethod()).isEqualTo(Request.SUBSCRIBE);
        assertThat(refresh.getRequestURI().toString()).isEqualTo(ua.uri("notifier", transport));
        assertThat(((CallIdHeader) refresh.getHeader(CallIdHeader.NAME)).getCallId())
                .isEqualTo(((CallIdHeader) initial.getHeader(CallIdHeader.NAME)).getCallId());
        assertThat(((FromHeader) refresh.getHeader(FromHeader.NAME)).getTag()).isEqualTo(dialog.localTag());
        assertThat(((ToHeader) refresh.getHeader(ToHeader.NAME)).getTag()).isEqualTo("n-tag");
        assertThat(((CSeqHeader) refresh.getHeader(CSeqHeader.NAME)).getSeqNumber()).isEqualTo(2);
        assertThat(refreshed.outcome().status().code()).isEqualTo(200);
        assertThat(refreshed.dialog().orElseThrow().localCseq()).isEqualTo(2);

        SubscribeOutcome ended = edge.refreshSubscribe(refreshed.dialog().get(), 0)
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        Request unsubscribe = ua.awaitRequest(WAIT).request();
        assertThat(((ExpiresHeader) unsubscribe.getHeader(ExpiresHeader.NAME)).getExpires()).isZero();
        assertThat(((CSeqHeader) unsubscribe.getHeader(CSeqHeader.NAME)).getSeqNumber()).isEqualTo(3);
        assertThat(ended.outcome().status().code()).isEqualTo(200);
    }

    @Test
    void aRefreshAnswered481EndsTheSubscription() throws Exception {
        SubscriptionDialog dialog = subscribed("udp");
        ua.awaitRequest(WAIT);
        ua.answerWith(481, "Subscription does not exist");

        SubscribeOutcome outcome = edge.refreshSubscribe(dialog, 600).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(outcome.outcome().status().code()).isEqualTo(481);
        assertThat(outcome.subscriptionGone()).isTrue();
        assertThat(outcome.dialog().orElseThrow().localCseq()).isEqualTo(2);
    }

    @Test
    void aSubscribeAnswered423IsRetriedWithMinExpires() throws Exception {
        ua.answerWith(r -> ((ExpiresHeader) r.getHeader(ExpiresHeader.NAME)).getExpires() < 300
                ? new TestUserAgent.Answer(423, "Interval Too Brief", Map.of("Min-Expires", "300"))
                : new TestUserAgent.Answer(200, "OK", Map.of("Contact", "<" + ua.uri("n", "udp") + ">",
                "Expires", "300")));

        SubscribeOutcome outcome = edge.sendSubscribe(SipUri.parse(ua.uri("romeo", "udp")).orThrow(), WATCHER, 100,
                uaTarget("romeo", "udp")).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(outcome.outcome().status().code()).isEqualTo(200);
        ua.awaitRequest(WAIT);
        Request retry = ua.awaitRequest(WAIT).request();
        assertThat(((ExpiresHeader) retry.getHeader(ExpiresHeader.NAME)).getExpires()).isEqualTo(300);
        assertThat(((CSeqHeader) retry.getHeader(CSeqHeader.NAME)).getSeqNumber()).isEqualTo(2);
        assertThat(outcome.dialog().orElseThrow().localCseq()).isEqualTo(2);
    }

    // ---- PUBLISH -------------------------------------------------------------------------------------

    private static final SipUri PUBLISHER = SipUri.of("juliet", "xmpp.example");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"udp", "tcp"})
    void publishInitialRefreshModifyAndRemove(String transport) throws Exception {
        ua.answerWith(r -> new TestUserAgent.Answer(200, "OK", Map.of("SIP-ETag", "etag-"
                + ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getSeqNumber() + "-" + r.getHeader("Expires")
                .toString().replaceAll("\\D", ""), "Expires", "1800")));
        PresenceDocument doc = new PidfParser().parse(PIDF).orThrow();
        SipTarget target = uaTarget("juliet", transport);

        PublishOutcome initial = edge.sendPublish(PUBLISHER, Optional.empty(), 3600, Optional.of(doc), target)
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        Request first = ua.awaitRequest(WAIT).request();
        assertThat(first.getMethod()).isEqualTo(Request.PUBLISH);
        assertThat(first.getHeader("Event").toString()).contains("presence");
        assertThat(first.getHeader("SIP-If-Match")).isNull();
        assertThat(first.getHeader("Content-Type").toString()).contains("application/pidf+xml");
        assertThat(initial.outcome().status().code()).isEqualTo(200);
        assertThat(initial.entityTag()).isPresent();
        assertThat(initial.expires()).hasValue(1800);

        PublishOutcome refresh = edge.sendPublish(PUBLISHER, initial.entityTag(), 3600, Optional.empty(), target)
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        Request second = ua.awaitRequest(WAIT).request();
        assertThat(second.getHeader("SIP-If-Match").toString()).contains(initial.entityTag().get());
        assertThat(second.getRawContent()).isNull();
        assertThat(refresh.entityTag()).isPresent();

        PublishOutcome modify = edge.sendPublish(PUBLISHER, refresh.entityTag(), 3600, Optional.of(doc), target)
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        Request third = ua.awaitRequest(WAIT).request();
        assertThat(third.getHeader("SIP-If-Match").toString()).contains(refresh.entityTag().get());
        assertThat(third.getRawContent()).isNotEmpty();
        assertThat(modify.outcome().status().code()).isEqualTo(200);

        PublishOutcome remove = edge.sendPublish(PUBLISHER, modify.entityTag(), 0, Optional.empty(), target)
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        Request fourth = ua.awaitRequest(WAIT).request();
        assertThat(((ExpiresHeader) fourth.getHeader(ExpiresHeader.NAME)).getExpires()).isZero();
        assertThat(fourth.getHeader("SIP-If-Match").toString()).contains(modify.entityTag().get());
        assertThat(remove.outcome().status().code()).isEqualTo(200);
    }

    @Test
    void publishAnswered412TellsTheCallerToPublishFromScratch() throws Exception {
        ua.answerWith(412, "Conditional Request Failed");

        PublishOutcome outcome = edge.sendPublish(PUBLISHER, Optional.of("stale"), 3600, Optional.empty(),
                uaTarget("juliet", "udp")).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(outcome.outcome().status().code()).isEqualTo(412);
        assertThat(outcome.publicationUnknown()).isTrue();
        assertThat(outcome.entityTag()).isEmpty();
    }

    @Test
    void publishAnswered423IsRetriedWithMinExpires() throws Exception {
        ua.answerWith(r -> ((ExpiresHeader) r.getHeader(ExpiresHeader.NAME)).getExpires() < 600
                ? new TestUserAgent.Answer(423, "Interval Too Brief", Map.of("Min-Expires", "600"))
                : new TestUserAgent.Answer(200, "OK", Map.of("SIP-ETag", "e1", "Expires", "600")));

        PublishOutcome outcome = edge.sendPublish(PUBLISHER, Optional.empty(), 60,
                Optional.of(new PidfParser().parse(PIDF).orThrow()), uaTarget("juliet", "udp"))
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(outcome.outcome().status().code()).isEqualTo(200);
        assertThat(outcome.entityTag()).hasValue("e1");
        assertThat(outcome.expires()).hasValue(600);
        ua.awaitRequest(WAIT);
        assertThat(((ExpiresHeader) ua.awaitRequest(WAIT).request().getHeader(ExpiresHeader.NAME)).getExpires())
                .isEqualTo(600);
    }
}
