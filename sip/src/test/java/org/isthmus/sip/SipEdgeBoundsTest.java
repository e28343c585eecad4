package org.isthmus.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.isthmus.sip.HostilePeer.closedByEdge;
import static org.isthmus.sip.HostilePeer.headers;
import static org.isthmus.sip.HostilePeer.longSubject;
import static org.isthmus.sip.HostilePeer.usedHeapAfterGc;
import static org.isthmus.sip.HostilePeer.writeUntilClosed;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.isthmus.sip.testing.SocketText;
import org.isthmus.sip.testing.TestUserAgent;

/**
 * Hostile SIP input against the edge's real UDP and TCP listening points (issue 9): 10,000 header
 * fields, a 60 KB header line, a header section that never ends, a huge Content-Length, a request sent a
 * byte a second and a flood of connections. Each ends with the RFC 3261 §21 answer (513, 414, 413) or a
 * closed connection, and the edge's threads and heap stay bounded (measured with the JVM's MXBeans).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SipEdgeBoundsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String HOST = "127.0.0.1";
    private static final int MAX_TCP_CONNECTIONS = 20;
    private static final SipMessageLimits LIMITS = new SipMessageLimits(65536, 256, 16384, Duration.ofSeconds(2),
            MAX_TCP_CONNECTIONS);

    private final RecordingHandler handler = new RecordingHandler();
    private SipEdge edge;
    private int port;

    @BeforeAll
    void start() {
        port = TestUserAgent.freePort(HOST);
        edge = new SipEdge(new SipSettings(HOST, port, Set.of("udp", "tcp"), Optional.empty(), "Isthmus-test/0")
                .withMessageLimits(LIMITS), handler,
                new EdgeTimers(Duration.ofSeconds(2), Duration.ofSeconds(35), Optional.empty(), Duration.ofSeconds(10)));
        edge.start();
    }

    @AfterAll
    void stop() {
        edge.close();
    }

    @BeforeEach
    void reset() {
        handler.reset();
    }

    /**
     * A MESSAGE with {@code extra} header lines (each ending in CRLF) before its Content-Length; over UDP
     * its Via names the {@link RawUdp} socket ({@code %PORT%}), over TCP the answer comes on the connection.
     */
    private static String message(String transport, String callId, String extra, String body) {
        return "MESSAGE sip:juliet@xmpp.test SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + (transport.equals("UDP") ? "%PORT%" : "9")
                + ";branch=z9hG4bK" + callId + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:romeo@sip.test>;tag=r1\r\nTo: <sip:juliet@xmpp.test>\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\n"
                + extra + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    // --- UDP ---

    private String overUdp(String request) throws IOException {
        try (RawUdp udp = new RawUdp()) {
            udp.send(request.replace("\r\n", "\n"), port);
            List<String> answers = udp.receiveAll(Duration.ofSeconds(3));
            assertThat(answers).as("answers to one datagram").hasSize(1);
            return answers.get(0);
        }
    }

    @Test
    void tenThousandHeaderFieldsOverUdpAreAnswered513() throws IOException {
        String answer = overUdp(message("UDP", "udp-10k", headers(10_000), "hi"));
        assertThat(answer).startsWith("SIP/2.0 513 Message Too Large\r\n").contains("Call-ID: udp-10k\r\n")
                .contains("CSeq: 1 MESSAGE\r\n").contains("more than 256 header fields");
        assertThat(handler.messages).isEmpty();
    }

    @Test
    void sixtyKilobyteHeaderLineOverUdpIsAnswered513() throws IOException {
        String answer = overUdp(message("UDP", "udp-60k", longSubject(60 * 1024), "hi"));
        assertThat(answer).startsWith("SIP/2.0 513 Message Too Large\r\n").contains("Call-ID: udp-60k\r\n")
                .contains("header field longer than 16384 bytes");
        assertThat(handler.messages).isEmpty();
    }

    @Test
    void twentyKilobyteRequestUriOverUdpIsAnswered414() throws IOException {
        String request = message("UDP", "udp-uri", "", "hi").replace("sip:juliet@xmpp.test SIP/2.0",
                "sip:juliet@xmpp.test;x=" + "y".repeat(20 * 1024) + " SIP/2.0");
        assertThat(overUdp(request)).startsWith("SIP/2.0 414 Request-URI Too Long\r\n").contains("Call-ID: udp-uri\r\n");
    }

    /** Within the limits nothing changes: 200 extra header fields and a 10 KB one pass. */
    @Test
    void requestWithinTheLimitsIsServedOverUdpAndTcp() throws IOException {
        String extra = headers(200) + longSubject(10 * 1024);
        assertThat(overUdp(message("UDP", "udp-ok", extra, "hi"))).startsWith("SIP/2.0 202 ");
        try (Socket socket = connect()) {
            write(socket, message("TCP", "tcp-ok", extra, "hi"));
            assertThat(readUntil(socket, "\r\n\r\n")).startsWith("SIP/2.0 202 ");
        }
        assertThat(handler.messages).hasSize(2);
    }

    /** 200 datagrams of 10,000 header fields each: all answered, and the heap does not keep them. */
    @Test
    void floodOfOversizedDatagramsLeavesHeapAndThreadsBounded() throws IOException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int threadsBefore = threads.getThreadCount();
        long heapBefore = usedHeapAfterGc();
        String request = message("UDP", "udp-flood", headers(10_000), "hi").replace("\r\n", "\n");
        int answered = 0;
        try (RawUdp udp = new RawUdp()) {
            for (int i = 0; i < 200; i++) {
                udp.send(request, port);
                if (udp.receive(Duration.ofSeconds(2)).filter(a -> a.startsWith("SIP/2.0 513 ")).isPresent()) {
                    answered++;
                }
            }
        }
        assertThat(answered).as("513s").isEqualTo(200);
        assertThat(threads.getThreadCount() - threadsBefore).as("threads added").isLessThan(5);
        assertThat(usedHeapAfterGc() - heapBefore).as("heap kept").isLessThan(64L << 20);
        assertThat(handler.messages).isEmpty();
    }

    // --- TCP ---

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"10,000 header fields", "a 60 KB header line", "a header section that never ends",
            "a Content-Length of 2 GB"})
    void oversizedRequestOverTcpIsAnsweredAndTheConnectionClosed(String what) throws Exception {
        String callId = "tcp-" + what.hashCode();
        String request = switch (what) {
            case "10,000 header fields" -> message("TCP", callId, headers(10_000), "hi");
            case "a 60 KB header line" -> message("TCP", callId, longSubject(60 * 1024), "hi");
            case "a header section that never ends" -> message("TCP", callId, headers(200_000), "");
            default -> message("TCP", callId, "", "hi").replace("Content-Length: 2\r\n", "Content-Length: 2000000000\r\n");
        };
        int expected = what.startsWith("a Content-Length") ? 413 : 513;
        try (Socket socket = connect()) {
            Thread writer = new Thread(() -> writeUntilClosed(socket, request));
            writer.start();
            String answer = readUntil(socket, "\r\n\r\n");
            assertThat(answer).startsWith("SIP/2.0 " + expected + " ").contains("Call-ID: " + callId + "\r\n");
            assertThat(closedByEdge(socket, WAIT)).as("connection closed after the " + expected).isTrue();
            writer.join(WAIT.toMillis());
        }
        // Not even the part of the request before the refused byte reaches the handler.
        assertThat(handler.messages.poll(500, TimeUnit.MILLISECONDS)).isNull();
    }

    /** A request sent a byte a second is cut off at the message deadline (2 s here), unanswered. */
    @Test
    void requestSentAByteASecondOverTcpIsCutOff() throws Exception {
        String request = message("TCP", "tcp-slow", "", "hi");
        try (Socket socket = connect()) {
            Thread writer = HostilePeer.trickle(socket, request);
            long start = System.nanoTime();
            assertThat(closedByEdge(socket, WAIT)).as("closed by the edge").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("well before the request was all sent")
                    .isLessThan(Duration.ofSeconds(request.length() / 2));
            writer.interrupt();
        }
        assertThat(handler.messages).isEmpty();
    }

    /**
     * A flood of connections that send nothing: the stack accepts {@link #MAX_TCP_CONNECTIONS} at a time
     * and leaves the rest to the kernel's backlog, so its threads grow by no more than that many pairs
     * whatever the flood; once the flood is gone a request is served again.
     */
    @Test
    void floodOfIdleConnectionsHoldsAtMostTheConnectionLimitInThreads() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int threadsBefore = threads.getThreadCount();
        List<Socket> flood = new ArrayList<>();
        int peak = 0;
        boolean heldOff = false;
        try {
            for (int i = 0; i < 500 && !heldOff; i++) {
                Socket s = new Socket();
                try {
                    s.connect(new InetSocketAddress(HOST, port), 500);
                    flood.add(s);
                } catch (SocketTimeoutException backlogFull) {
                    s.close();
                    heldOff = true;
                }
            }
            for (int i = 0; i < 10; i++) {
                peak = Math.max(peak, threads.getThreadCount() - threadsBefore);
                Thread.sleep(100);
            }
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
        assertThat(flood.size()).as("connections made").isGreaterThanOrEqualTo(MAX_TCP_CONNECTIONS);
        // JAIN-SIP's blocking TCP transport gives each connection two threads: a reader and a parser.
        assertThat(peak).as("threads added by %d connections", flood.size())
                .isLessThanOrEqualTo(2 * MAX_TCP_CONNECTIONS + 5);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String answer = "";
        while (!answer.startsWith("SIP/2.0 202") && System.nanoTime() < deadline) {
            try (Socket socket = connect()) {
                write(socket, message("TCP", "after-flood-" + System.nanoTime(), "", "hi"));
                answer = readUntil(socket, "\r\n\r\n");
            } catch (AssertionError | IOException notYet) {
                Thread.sleep(200);
            }
        }
        assertThat(answer).as("a request after the flood").startsWith("SIP/2.0 202");
    }

    // --- helpers ---

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(HOST, port), 2000);
        return socket;
    }

    private static void write(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    private static String readUntil(Socket socket, String text) throws IOException {
        return SocketText.readUntil(socket, text, WAIT);
    }

}
