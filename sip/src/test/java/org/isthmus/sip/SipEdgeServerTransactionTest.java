package org.isthmus.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.isthmus.mapping.error.SipStatus;
import org.isthmus.sip.testing.SocketText;
import org.isthmus.sip.testing.TestUserAgent;

/**
 * The edge's own MESSAGE server transactions (RFC 3261 §17.2.2, matched as §17.2.3 says): a retransmission
 * while the gateway has not answered is absorbed, one after the final response gets that response again,
 * byte for byte; over TCP nothing is kept once answered; Timer J ends a UDP transaction; a full table
 * answers 503 with Retry-After.
 */
class SipEdgeServerTransactionTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String HOST = "127.0.0.1";
    /** T1 of 50 ms: Timer J (64*T1) of 3.2 s. */
    private static final Duration T1 = Duration.ofMillis(50);

    private final RecordingHandler handler = new RecordingHandler();
    private SipEdge edge;
    private int edgePort;

    private void start(int maxTransactions) {
        edgePort = TestUserAgent.freePort(HOST);
        SipMessageLimits limits = new SipMessageLimits(65536, 256, 16384, Duration.ofSeconds(2), 64,
                maxTransactions);
        SipSettings base = new SipSettings(HOST, edgePort, Set.of("udp", "tcp"), Optional.empty(), "Isthmus-test/0");
        SipSettings settings = new SipSettings(HOST, edgePort, base.transports(), Optional.empty(), base.userAgent(),
                Optional.empty(), base.trust(), base.auth(), base.dns(), base.presence(), false, limits);
        edge = new SipEdge(settings, handler, new EdgeTimers(Duration.ofSeconds(30), Duration.ofSeconds(35),
                Optional.of(T1), Duration.ofSeconds(2)));
        edge.start();
    }

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.close();
        }
    }

    private String message(String branch, String transport) {
        return """
                MESSAGE sip:juliet@127.0.0.1:%EDGE% SIP/2.0
                Via: SIP/2.0/%TRANSPORT% 127.0.0.1:%PORT%;branch=%BRANCH%
                Max-Forwards: 70
                From: <sip:romeo@sip.example>;tag=r1
                To: <sip:juliet@xmpp.example>
                Call-ID: %BRANCH%@127.0.0.1
                CSeq: 1 MESSAGE
                Content-Type: text/plain
                Content-Length: 5

                hello""".replace("%EDGE%", Integer.toString(edgePort)).replace("%BRANCH%", branch)
                .replace("%TRANSPORT%", transport);
    }

    @Test
    void retransmissionWhileTheGatewayHasNotAnsweredIsNotHandedOverAgain() throws Exception {
        start(1000);
        CompletableFuture<SipStatus> later = new CompletableFuture<>();
        handler.onMessage = m -> later;
        String request = message("z9hG4bK-trying-1", "UDP");
        try (RawUdp udp = new RawUdp()) {
            udp.send(request, edgePort);
            assertThat(handler.messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
            udp.send(request, edgePort);
            udp.send(request, edgePort);
            // Trying: nothing is sent back for a retransmission, and the gateway is not asked again.
            assertThat(udp.receive(Duration.ofMillis(400))).isEmpty();
            assertThat(handler.messages).isEmpty();
            assertThat(edge.messageTransactionsHeld()).isEqualTo(1);

            later.complete(SipStatus.of(202));
            List<String> responses = udp.receiveAll(Duration.ofMillis(500));
            assertThat(responses).hasSize(1);
            assertThat(responses.get(0)).startsWith("SIP/2.0 202 Accepted\r\n");
        }
        assertThat(handler.messages).isEmpty();
    }

    /**
     * The response is encoded by the edge from the request's fields (202, 404), or built by the stack when it
     * has headers of its own (415 with Accept, RFC 3261 §21.4.13); either is kept and sent again.
     */
    @ParameterizedTest
    @ValueSource(ints = {202, 404, 415})
    void retransmissionAfterTheFinalResponseGetsTheSameResponseAgain(int code) throws Exception {
        start(1000);
        handler.onMessage = m -> RecordingHandler.done(SipStatus.of(code));
        String request = message("z9hG4bK-completed-" + code, "UDP");
        try (RawUdp udp = new RawUdp()) {
            udp.send(request, edgePort);
            String first = udp.receive(WAIT).orElseThrow();
            settle();
            udp.send(request, edgePort);
            String again = udp.receive(WAIT).orElseThrow();

            assertThat(first).startsWith("SIP/2.0 " + code + " ")
                    .contains("\r\nTo: <sip:juliet@xmpp.example>;tag=")
                    .contains("\r\nVia: SIP/2.0/UDP 127.0.0.1:" + udp.port() + ";branch=z9hG4bK-completed-" + code)
                    .contains("\r\nCall-ID: z9hG4bK-completed-" + code + "@127.0.0.1\r\n")
                    .contains("\r\nCSeq: 1 MESSAGE\r\n").contains("\r\nServer: Isthmus-test/0\r\n")
                    .endsWith("\r\nContent-Length: 0\r\n\r\n");
            if (code == 415) {
                assertThat(first).contains("\r\nAccept: ");
            }
            assertThat(again).isEqualTo(first);
        }
        assertThat(handler.messages).hasSize(1);
    }

    @Test
    void timerJEndsAnAnsweredUdpTransaction() throws Exception {
        start(1000);
        try (RawUdp udp = new RawUdp()) {
            udp.send(message("z9hG4bK-timer-j", "UDP"), edgePort);
            assertThat(udp.receive(WAIT).orElseThrow()).startsWith("SIP/2.0 202 ");
            assertThat(edge.messageTransactionsHeld()).isEqualTo(1);
            // 64*T1 = 3.2 s, swept once a second.
            assertThat(heldBecomes(0, Duration.ofSeconds(10))).isTrue();
            // A request with the same branch is a new transaction now: the gateway gets it again.
            udp.send(message("z9hG4bK-timer-j", "UDP"), edgePort);
            assertThat(udp.receive(WAIT).orElseThrow()).startsWith("SIP/2.0 202 ");
        }
        assertThat(handler.messages).hasSize(2);
    }

    @Test
    void overTcpNothingIsKeptOnceAnswered() throws Exception {
        start(1000);
        CompletableFuture<SipStatus> later = new CompletableFuture<>();
        handler.onMessage = m -> later;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, edgePort), 2000);
            socket.getOutputStream().write(message("z9hG4bK-tcp-1", "TCP").replace("%PORT%",
                    Integer.toString(socket.getLocalPort())).replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            assertThat(handler.messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
            assertThat(edge.messageTransactionsHeld()).isEqualTo(1);

            later.complete(SipStatus.of(202));
            String response = SocketText.readUntil(socket, "Content-Length: 0\r\n\r\n", WAIT);
            assertThat(response).startsWith("SIP/2.0 202 Accepted\r\n").contains(";tag=");
            assertThat(edge.messageTransactionsHeld()).isZero();
        }
    }

    @Test
    void fullTableAnswers503WithRetryAfterAndCountsIt() throws Exception {
        start(2);
        CompletableFuture<SipStatus> later = new CompletableFuture<>();
        handler.onMessage = m -> later;
        try (RawUdp udp = new RawUdp()) {
            udp.send(message("z9hG4bK-cap-1", "UDP"), edgePort);
            udp.send(message("z9hG4bK-cap-2", "UDP"), edgePort);
            assertThat(handler.messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
            assertThat(handler.messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();

            udp.send(message("z9hG4bK-cap-3", "UDP"), edgePort);
            String refused = udp.receive(WAIT).orElseThrow();
            assertThat(refused).startsWith("SIP/2.0 503 ").contains("\r\nRetry-After: "
                    + MessageTransactions.RETRY_AFTER_SECONDS).contains("branch=z9hG4bK-cap-3");
            assertThat(handler.messages).isEmpty();
            assertThat(edge.messageTransactionsRefused()).isEqualTo(1);
            assertThat(edge.messageTransactionsHeld()).isEqualTo(2);

            // The refused one kept nothing: its retransmission is refused again, not absorbed.
            settle();
            udp.send(message("z9hG4bK-cap-3", "UDP"), edgePort);
            assertThat(udp.receive(WAIT).orElseThrow()).startsWith("SIP/2.0 503 ");
            assertThat(edge.messageTransactionsRefused()).isEqualTo(2);

            // Answered, the two stay Completed for Timer J, then leave, and there is room again.
            later.complete(SipStatus.of(202));
            assertThat(udp.receiveAll(Duration.ofMillis(500))).hasSize(2).allMatch(r -> r.startsWith("SIP/2.0 202 "));
            assertThat(heldBecomes(0, Duration.ofSeconds(10))).isTrue();
            handler.onMessage = m -> RecordingHandler.done(SipStatus.of(202));
            udp.send(message("z9hG4bK-cap-4", "UDP"), edgePort);
            assertThat(udp.receive(WAIT).orElseThrow()).startsWith("SIP/2.0 202 ");
        }
    }

    /** A request without RFC 3261's branch keeps JAIN-SIP's transaction (§17.2.3's older matching). */
    @Test
    void requestWithoutTheMagicCookieIsStillAbsorbedByTheStack() throws Exception {
        start(1000);
        CompletableFuture<SipStatus> later = new CompletableFuture<>();
        handler.onMessage = m -> later;
        String request = message("old-style-1", "UDP");
        try (RawUdp udp = new RawUdp()) {
            udp.send(request, edgePort);
            assertThat(handler.messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
            assertThat(edge.messageTransactionsHeld()).isZero();
            udp.send(request, edgePort);
            Thread.sleep(300);
            later.complete(SipStatus.of(202));
            assertThat(udp.receiveAll(Duration.ofMillis(500))).isNotEmpty()
                    .allMatch(r -> r.startsWith("SIP/2.0 202 Accepted"));
        }
        assertThat(handler.messages).isEmpty();
    }

    /**
     * Lets the stack's thread return from the listener that answered synchronously: until then JAIN-SIP
     * holds the request as pending and drops a copy that arrives meanwhile (a real client retransmits
     * after T1 at the earliest, RFC 3261 §17.1.2.2).
     */
    private static void settle() throws InterruptedException {
        Thread.sleep(T1.toMillis());
    }

    /** Whether the edge holds {@code count} transactions within {@code limit}, checked every 100 ms. */
    private boolean heldBecomes(int count, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (edge.messageTransactionsHeld() == count) {
                return true;
            }
            Thread.sleep(100);
        }
        return edge.messageTransactionsHeld() == count;
    }
}
