package org.isthmus.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.sip.testing.TestCertificates;
import org.isthmus.sip.testing.TestUserAgent;
import org.isthmus.sip.testing.TestUserAgent.Received;

/**
 * The TLS listening point (RFC 3261 §26.2.1) with certificates from PEM files, the server identity check of
 * RFC 5922 §7.2 on outgoing TLS, and the edge on IPv6 loopback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SipEdgeTransportTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String HOST = "127.0.0.1";

    private final RecordingHandler handler = new RecordingHandler();
    private SipEdge edge;
    private SipSettings settings;
    private TestUserAgent ua;
    private SipEdge edge6;
    private TestUserAgent ua6;
    private int edge6Port;

    @BeforeAll
    void start() {
        TestCertificates ca = TestCertificates.create();
        TestCertificates.Issued edgeCert = ca.issue("edge", "xmpp.test", HOST);
        TestCertificates.Issued uaCert = ca.issue("ua", "sip.test");
        int port = TestUserAgent.freePort(HOST);
        int tlsPort;
        do {
            tlsPort = TestUserAgent.freePort(HOST);
        } while (tlsPort == port);
        settings = new SipSettings(HOST, port, Set.of("udp", "tcp"), Optional.empty(), "Isthmus-test/0")
                .withTls(new SipTls(tlsPort, edgeCert.key(), edgeCert.chain(), Optional.of(edgeCert.ca())));
        edge = new SipEdge(settings, handler);
        edge.start();
        ua = TestUserAgent.startTls(HOST, uaCert.context());

        edge6Port = TestUserAgent.freePort("::1");
        edge6 = new SipEdge(SipSettings.of("::1", edge6Port, "Isthmus-test/0"), handler);
        edge6.start();
        ua6 = TestUserAgent.start("::1");
    }

    @AfterAll
    void stop() {
        ua.close();
        edge.close();
        ua6.close();
        edge6.close();
    }

    @BeforeEach
    void reset() {
        ua.reset();
        ua6.reset();
        handler.reset();
    }

    private static SipPagerMessage message(SipUri requestUri, String text) {
        return new SipPagerMessage(SipUri.of("juliet", "xmpp.test"), SipUri.of("romeo", "sip.test"), requestUri,
                Optional.empty(), MediaType.TEXT_PLAIN_UTF8, text.getBytes(StandardCharsets.UTF_8), Optional.empty(),
                Optional.empty());
    }

    @Test
    void tlsSettingsAddTheTlsTransportOnItsOwnPort() {
        assertThat(settings.transports()).containsExactlyInAnyOrder("udp", "tcp", "tls");
        assertThat(settings.portOf("tls")).isEqualTo(settings.tls().orElseThrow().port());
        assertThat(settings.portOf("udp")).isEqualTo(settings.port());
    }

    @Test
    void messageOverTlsFromAPeerReachesTheHandler() throws Exception {
        String ruri = "sip:juliet@" + HOST + ":" + settings.tls().orElseThrow().port() + ";transport=tls";
        Request request = ua.message(ruri, "<sip:romeo@sip.test>", "<sip:juliet@xmpp.test>", "text/plain;charset=UTF-8",
                "over TLS".getBytes(StandardCharsets.UTF_8));

        Response response = ua.send(request, WAIT);

        assertThat(response.getStatusCode()).isEqualTo(202);
        assertThat(new String(handler.awaitMessage(WAIT).body(), StandardCharsets.UTF_8)).isEqualTo("over TLS");
    }

    @Test
    void messageOverTlsGoesToAServerWhoseCertificateNamesTheTargetDomain() throws Exception {
        SipUri requestUri = SipUri.parse("sip:romeo@sip.test;transport=tls").orThrow();

        SipOutcome outcome = edge.sendMessage(message(requestUri, "hello over TLS"),
                SipTarget.via(requestUri, new SipHop(HOST, ua.tlsPort(), "tls"))).get(10, TimeUnit.SECONDS);

        assertThat(outcome.status()).isEqualTo(SipStatus.of(200));
        Received received = ua.awaitRequest(WAIT);
        assertThat(received.transport()).isEqualTo("tls");
        ViaHeader via = (ViaHeader) received.request().getHeader(ViaHeader.NAME);
        assertThat(via.getTransport()).isEqualToIgnoringCase("tls");
        assertThat(via.getPort()).isEqualTo(settings.tls().orElseThrow().port());
    }

    @Test
    void messageOverTlsIsNotSentToAServerWhoseCertificateNamesAnotherDomain() throws Exception {
        SipUri requestUri = SipUri.parse("sip:romeo@elsewhere.test;transport=tls").orThrow();

        SipOutcome outcome = edge.sendMessage(message(requestUri, "not for you"),
                SipTarget.via(requestUri, new SipHop(HOST, ua.tlsPort(), "tls"))).get(10, TimeUnit.SECONDS);

        assertThat(outcome.status().code()).isEqualTo(503);
        assertThat(ua.nothingReceived(Duration.ofMillis(300))).isTrue();
    }

    @Test
    void messageFromAnIpv6PeerReachesTheHandler() throws Exception {
        Request request = ua6.message("sip:juliet@[::1]:" + edge6Port, "<sip:romeo@sip.test>",
                "<sip:juliet@xmpp.test>", "text/plain;charset=UTF-8", "v6".getBytes(StandardCharsets.UTF_8));

        assertThat(ua6.send(request, WAIT).getStatusCode()).isEqualTo(202);
        assertThat(handler.awaitMessage(WAIT).requestUri().host()).isEqualTo("[::1]");
    }

    @Test
    void messageToAnIpv6ContactArrivesOverUdpAndTcp() throws Exception {
        for (String transport : new String[] {"udp", "tcp"}) {
            SipUri contact = SipUri.parse(ua6.uri("romeo", transport)).orThrow();

            SipOutcome outcome = edge6.sendMessage(message(contact, "to v6"), SipTarget.direct(contact))
                    .get(10, TimeUnit.SECONDS);

            assertThat(outcome.status()).as(transport).isEqualTo(SipStatus.of(200));
            Received received = ua6.awaitRequest(WAIT);
            assertThat(received.transport()).isEqualTo(transport);
            assertThat(((ViaHeader) received.request().getHeader(ViaHeader.NAME)).getHost()).contains("::1");
        }
    }
}
