package org.isthmus.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.sip.header.RouteHeader;
import javax.sip.message.Request;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.sip.testing.TestUserAgent;
import org.isthmus.sip.testing.TestUserAgent.Received;

/**
 * Where sent requests go: an outbound proxy as a pre-loaded Route (RFC 3261 §8.1.2), RFC 3263 §4
 * resolution from static records (NAPTR, then SRV, then A; no query leaves the process), and failover to
 * the next server after a 503 or a transport error (RFC 3263 §4.3).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SipEdgeRoutingTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String HOST = "127.0.0.1";

    private SipEdge edge;
    private TestUserAgent first;
    private TestUserAgent second;
    private int closedPort;

    @BeforeAll
    void start() throws Exception {
        first = TestUserAgent.start(HOST);
        second = TestUserAgent.start(HOST);
        closedPort = TestUserAgent.freePort(HOST);
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        SipDns.Records records = SipDns.Records.EMPTY
                // naptr.test: NAPTR → _sip._tcp.naptr.test → two servers, the better one first.
                .withNaptr("naptr.test", List.of(
                        new SipDns.Naptr(20, 10, "s", "SIP+D2U", "_sip._udp.naptr.test"),
                        new SipDns.Naptr(10, 10, "s", "SIP+D2T", "_sip._tcp.naptr.test")))
                .withSrv("_sip._tcp.naptr.test", List.of(
                        new SipDns.Srv(10, 0, first.port(), "one.naptr.test"),
                        new SipDns.Srv(20, 0, second.port(), "two.naptr.test")))
                .withSrv("_sip._udp.naptr.test", List.of(new SipDns.Srv(10, 0, second.port(), "two.naptr.test")))
                // dead.test: the first server's port is closed (TCP), the second answers.
                .withSrv("_sip._tcp.dead.test", List.of(
                        new SipDns.Srv(10, 0, closedPort, "one.naptr.test"),
                        new SipDns.Srv(20, 0, second.port(), "two.naptr.test")))
                .withAddresses("one.naptr.test", List.of(loopback))
                .withAddresses("two.naptr.test", List.of(loopback))
                .withAddresses("proxy.test", List.of(loopback));
        int port = TestUserAgent.freePort(HOST);
        edge = new SipEdge(new SipSettings(HOST, port, Set.of("udp", "tcp"), Optional.empty(), "Isthmus-test/0")
                .withDns(SipDns.staticOnly(records)), new RecordingHandler());
        edge.start();
    }

    @AfterAll
    void stop() {
        first.close();
        second.close();
        edge.close();
    }

    @BeforeEach
    void reset() {
        first.reset();
        second.reset();
    }

    private static SipPagerMessage message(SipUri requestUri) {
        return new SipPagerMessage(SipUri.of("juliet", "xmpp.test"), SipUri.of("romeo", requestUri.host()), requestUri,
                Optional.empty(), MediaType.TEXT_PLAIN_UTF8, "hi".getBytes(StandardCharsets.UTF_8), Optional.empty(),
                Optional.empty());
    }

    private SipOutcome send(SipTarget target) throws Exception {
        return edge.sendMessage(message(target.requestUri()), target).get(15, TimeUnit.SECONDS);
    }

    @Test
    void outboundProxyGetsTheRequestWithAPreloadedLooseRouteAndTheUnchangedRequestUri() throws Exception {
        SipUri requestUri = SipUri.parse("sip:romeo@sip.test").orThrow();
        SipUri proxy = SipUri.parse("sip:proxy.test:" + first.port() + ";transport=tcp").orThrow();

        SipOutcome outcome = send(SipTarget.viaOutboundProxy(requestUri, proxy));

        assertThat(outcome.status()).isEqualTo(SipStatus.of(200));
        Received received = first.awaitRequest(WAIT);
        Request r = received.request();
        assertThat(received.transport()).isEqualTo("tcp");
        assertThat(r.getRequestURI().toString()).isEqualTo("sip:romeo@sip.test");
        RouteHeader route = (RouteHeader) r.getHeader(RouteHeader.NAME);
        assertThat(route.getAddress().getURI().toString()).contains("proxy.test:" + first.port()).contains(";lr");
    }

    @Test
    void naptrThenSrvThenAddressRecordsChooseTheServerAndTransport() throws Exception {
        SipOutcome outcome = send(SipTarget.direct(SipUri.parse("sip:romeo@naptr.test").orThrow()));

        assertThat(outcome.status()).isEqualTo(SipStatus.of(200));
        // NAPTR order 10 is SIP+D2T, and its best SRV target is the first agent.
        Received received = first.awaitRequest(WAIT);
        assertThat(received.transport()).isEqualTo("tcp");
        assertThat(received.request().getRequestURI().toString()).isEqualTo("sip:romeo@naptr.test");
        assertThat(second.nothingReceived(Duration.ofMillis(200))).isTrue();
    }

    @Test
    void a503MovesOnToTheNextServer() throws Exception {
        first.answerWith(503, "Busy Here Today");

        SipOutcome outcome = send(SipTarget.direct(SipUri.parse("sip:romeo@naptr.test").orThrow()));

        assertThat(outcome.status()).isEqualTo(SipStatus.of(200));
        assertThat(first.awaitRequest(WAIT).request().getMethod()).isEqualTo("MESSAGE");
        assertThat(second.awaitRequest(WAIT).transport()).isEqualTo("tcp");
    }

    @Test
    void theLast503IsTheOutcomeWhenEveryServerRefuses() throws Exception {
        first.answerWith(503, "One");
        second.answerWith(503, "Two");

        SipOutcome outcome = send(SipTarget.direct(SipUri.parse("sip:romeo@naptr.test").orThrow()));

        assertThat(outcome.status()).isEqualTo(new SipStatus(503, "Two"));
    }

    @Test
    void aTransportErrorMovesOnToTheNextServer() throws Exception {
        SipOutcome outcome = send(SipTarget.direct(SipUri.parse("sip:romeo@dead.test;transport=tcp").orThrow()));

        assertThat(outcome.status()).isEqualTo(SipStatus.of(200));
        assertThat(second.awaitRequest(WAIT).transport()).isEqualTo("tcp");
    }

    @Test
    void aDomainWithoutRecordsGetsA503WithoutAnyQuery() throws Exception {
        SipOutcome outcome = send(SipTarget.direct(SipUri.parse("sip:romeo@unknown.test").orThrow()));

        assertThat(outcome.status().code()).isEqualTo(503);
    }

    @Test
    void aNumericHostIsUsedAsIsWithUdpByDefault() throws Exception {
        SipOutcome outcome = send(SipTarget.direct(SipUri.parse("sip:romeo@" + HOST + ":" + second.port()).orThrow()));

        assertThat(outcome.status()).isEqualTo(SipStatus.of(200));
        assertThat(second.awaitRequest(WAIT).transport()).isEqualTo("udp");
    }
}
