package org.isthmus.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.SubjectHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.sip.testing.TestUserAgent.Answer;
import org.isthmus.sip.testing.TestUserAgent.Received;
import org.isthmus.sip.testing.TestUserAgent;

/** MESSAGE requests the edge sends (RFC 3428 §4) and the outcomes it reports (RFC 3261 §8.1.3). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SipEdgeOutboundTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String HOST = "127.0.0.1";
    /** A short T1 so a UDP timeout (64*T1, §17.1.2.2) takes 3.2 s instead of 32 s. */
    private static final Duration T1 = Duration.ofMillis(50);

    private SipEdge edge;
    private int edgePort;
    private TestUserAgent ua;

    @BeforeAll
    void start() {
        edgePort = TestUserAgent.freePort(HOST);
        edge = new SipEdge(new SipSettings(HOST, edgePort, Set.of("udp", "tcp"), Optional.empty(), "Isthmus-test/0"),
                new RecordingHandler(), new EdgeTimers(Duration.ofSeconds(2), Duration.ofSeconds(35), Optional.of(T1), Duration.ofSeconds(10)));
        edge.start();
        ua = TestUserAgent.start(HOST);
    }

    @AfterAll
    void stop() {
        ua.close();
        edge.close();
    }

    @BeforeEach
    void reset() {
        ua.reset();
    }

    private static SipPagerMessage message(SipUri requestUri, byte[] body, Optional<String> callId) {
        return new SipPagerMessage(SipUri.of("juliet", "xmpp.example"), SipUri.of("romeo", "sip.example"), requestUri,
                callId, MediaType.TEXT_PLAIN_UTF8, body, Optional.of("fr"), Optional.of("balcon"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"udp", "tcp"})
    void messageArrivesWithExactlyTheHeadersAndBody(String transport) throws Exception {
        SipUri requestUri = SipUri.parse(ua.uri("romeo", transport)).orThrow();
        byte[] body = "Bonjour, Roméo ! 🌹".getBytes(StandardCharsets.UTF_8);

        SipOutcome outcome = edge.sendMessage(message(requestUri, body, Optional.of("call-1-" + transport + "@gw")),
                SipTarget.direct(requestUri)).get(5, TimeUnit.SECONDS);

        assertThat(outcome).isEqualTo(SipOutcome.of(SipStatus.of(200)));
        Received received = ua.awaitRequest(WAIT);
        Request r = received.request();
        assertThat(received.transport()).isEqualTo(transport);
        assertThat(r.getMethod()).isEqualTo("MESSAGE");
        assertThat(r.getRequestURI().toString()).isEqualTo(requestUri.toString());
        FromHeader from = (FromHeader) r.getHeader(FromHeader.NAME);
        assertThat(from.getAddress().getURI().toString()).isEqualTo("sip:juliet@xmpp.example");
        assertThat(from.getTag()).isNotBlank();
        ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
        assertThat(to.getAddress().getURI().toString()).isEqualTo("sip:romeo@sip.example");
        assertThat(to.getTag()).isNull();
        assertThat(((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId()).isEqualTo("call-1-" + transport + "@gw");
        CSeqHeader cseq = (CSeqHeader) r.getHeader(CSeqHeader.NAME);
        assertThat(cseq.getMethod()).isEqualTo("MESSAGE");
        assertThat(cseq.getSeqNumber()).isEqualTo(1L);
        assertThat(((MaxForwardsHeader) r.getHeader(MaxForwardsHeader.NAME)).getMaxForwards()).isEqualTo(70);
        ViaHeader via = (ViaHeader) r.getHeader(ViaHeader.NAME);
        assertThat(via.getHost()).isEqualTo(HOST);
        assertThat(via.getPort()).isEqualTo(edgePort);
        assertThat(via.getTransport()).isEqualToIgnoringCase(transport);
        assertThat(via.getBranch()).startsWith("z9hG4bK");
        ContentTypeHeader type = (ContentTypeHeader) r.getHeader(ContentTypeHeader.NAME);
        assertThat(type.getContentType() + "/" + type.getContentSubType() + ";charset=" + type.getParameter("charset"))
                .isEqualTo("text/plain;charset=UTF-8");
        assertThat(r.getHeader("Content-Language").toString()).contains("fr");
        assertThat(((SubjectHeader) r.getHeader(SubjectHeader.NAME)).getSubject()).isEqualTo("balcon");
        assertThat(r.getHeader("User-Agent").toString()).contains("Isthmus-test/0");
        assertThat(r.getHeader("Route")).isNull();
        assertThat(r.getRawContent()).isEqualTo(body);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"udp", "tcp"})
    void failureStatusAndReasonComeBack(String transport) throws Exception {
        ua.answerWith(404, "Nobody Here");
        SipUri requestUri = SipUri.parse(ua.uri("nobody", transport)).orThrow();

        SipOutcome outcome = edge.sendMessage(message(requestUri, new byte[] {'x'}, Optional.empty()),
                SipTarget.direct(requestUri)).get(5, TimeUnit.SECONDS);

        assertThat(outcome.status()).isEqualTo(new SipStatus(404, "Nobody Here"));
        assertThat(outcome.contact()).isEmpty();
        String callId = ((CallIdHeader) ua.awaitRequest(WAIT).request().getHeader(CallIdHeader.NAME)).getCallId();
        assertThat(callId).isNotBlank();
    }

    @Test
    void redirectReportsItsContact() throws Exception {
        ua.answerWith(r -> new Answer(302, "Moved Temporarily", Map.of("Contact", "<sip:romeo@192.0.2.9:5070>")));
        SipUri requestUri = SipUri.parse(ua.uri("romeo", "udp")).orThrow();

        SipOutcome outcome = edge.sendMessage(message(requestUri, new byte[] {'x'}, Optional.empty()),
                SipTarget.direct(requestUri)).get(5, TimeUnit.SECONDS);

        assertThat(outcome.status().code()).isEqualTo(302);
        assertThat(outcome.contact()).contains("sip:romeo@192.0.2.9:5070");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"udp", "tcp"})
    void nextHopCarriesTheRequestWithoutRewritingTheRequestUri(String transport) throws Exception {
        SipUri requestUri = SipUri.parse("sip:romeo@sip.example.invalid;transport=udp").orThrow();
        SipHop hop = new SipHop(HOST, ua.port(), transport);

        SipOutcome outcome = edge.sendMessage(message(requestUri, new byte[] {'x'}, Optional.empty()),
                SipTarget.via(requestUri, hop)).get(5, TimeUnit.SECONDS);

        assertThat(outcome.status().code()).isEqualTo(200);
        Received received = ua.awaitRequest(WAIT);
        assertThat(received.transport()).isEqualTo(transport);
        assertThat(received.request().getRequestURI().toString()).isEqualTo("sip:romeo@sip.example.invalid;transport=udp");
        assertThat(received.request().getHeader("Route")).isNull();
        assertThat(((ViaHeader) received.request().getHeader(ViaHeader.NAME)).getTransport())
                .isEqualToIgnoringCase(transport);
    }

    @Test
    void largeMessageForUdpGoesOverTcp() throws Exception {
        SipUri requestUri = SipUri.parse(ua.uri("romeo", "udp")).orThrow();
        byte[] body = new byte[2000];
        Arrays.fill(body, (byte) 'a');

        SipOutcome outcome = edge.sendMessage(message(requestUri, body, Optional.empty()),
                SipTarget.direct(requestUri)).get(5, TimeUnit.SECONDS);

        assertThat(outcome.status().code()).isEqualTo(200);
        Received received = ua.awaitRequest(WAIT);
        assertThat(received.transport()).isEqualTo("tcp");
        assertThat(((ViaHeader) received.request().getHeader(ViaHeader.NAME)).getTransport()).isEqualToIgnoringCase("tcp");
        assertThat(received.request().getRequestURI().toString()).isEqualTo(requestUri.toString());
        assertThat(received.request().getRawContent()).isEqualTo(body);
    }

    @Test
    void smallMessageForUdpStaysOnUdp() throws Exception {
        SipUri requestUri = SipUri.parse(ua.uri("romeo", "udp")).orThrow();

        edge.sendMessage(message(requestUri, new byte[500], Optional.empty()), SipTarget.direct(requestUri))
                .get(5, TimeUnit.SECONDS);

        assertThat(ua.awaitRequest(WAIT).transport()).isEqualTo("udp");
    }

    @Test
    void reusedCallIdGetsAHigherCseq() throws Exception {
        SipUri requestUri = SipUri.parse(ua.uri("romeo", "udp")).orThrow();
        SipPagerMessage m = message(requestUri, new byte[] {'x'}, Optional.of("conversation-7@gw"));

        edge.sendMessage(m, SipTarget.direct(requestUri)).get(5, TimeUnit.SECONDS);
        edge.sendMessage(m, SipTarget.direct(requestUri)).get(5, TimeUnit.SECONDS);

        long first = ((CSeqHeader) ua.awaitRequest(WAIT).request().getHeader(CSeqHeader.NAME)).getSeqNumber();
        long second = ((CSeqHeader) ua.awaitRequest(WAIT).request().getHeader(CSeqHeader.NAME)).getSeqNumber();
        assertThat(second).isGreaterThan(first);
    }

    @Test
    void noListenerOverTcpIs503Quickly() throws Exception {
        int closed = TestUserAgent.freePort(HOST);
        SipUri requestUri = SipUri.parse("sip:romeo@" + HOST + ":" + closed + ";transport=tcp").orThrow();
        long start = System.nanoTime();

        SipOutcome outcome = edge.sendMessage(message(requestUri, new byte[] {'x'}, Optional.empty()),
                SipTarget.direct(requestUri)).get(10, TimeUnit.SECONDS);

        assertThat(outcome.status().code()).isEqualTo(503);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3_000L);
    }

    @Test
    void noListenerOverUdpTimesOutWith408() throws Exception {
        int closed = TestUserAgent.freePort(HOST);
        SipUri requestUri = SipUri.parse("sip:romeo@" + HOST + ":" + closed).orThrow();
        long start = System.nanoTime();

        SipOutcome outcome = edge.sendMessage(message(requestUri, new byte[] {'x'}, Optional.empty()),
                SipTarget.direct(requestUri)).get(15, TimeUnit.SECONDS);

        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(outcome.status().code()).isIn(408, 503);
        assertThat(ms).isLessThan(10_000L);
    }

    @Test
    void sipsTargetIs503WithoutTls() throws Exception {
        SipUri requestUri = SipUri.parse("sips:romeo@" + HOST + ":" + ua.port()).orThrow();

        SipOutcome outcome = edge.sendMessage(message(requestUri, new byte[] {'x'}, Optional.empty()),
                SipTarget.direct(requestUri)).get(5, TimeUnit.SECONDS);

        assertThat(outcome.status().code()).isEqualTo(503);
        assertThat(ua.nothingReceived(Duration.ofMillis(200))).isTrue();
    }
}
