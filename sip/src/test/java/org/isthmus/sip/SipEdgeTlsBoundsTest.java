package org.isthmus.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.isthmus.sip.HostilePeer.closedByEdge;
import static org.isthmus.sip.HostilePeer.headers;
import static org.isthmus.sip.HostilePeer.longSubject;
import static org.isthmus.sip.HostilePeer.usedHeapAfterGc;
import static org.isthmus.sip.HostilePeer.writeUntilClosed;

import java.io.IOException;
import java.io.OutputStream;
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

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.isthmus.sip.testing.SocketText;
import org.isthmus.sip.testing.TestCertificates;
import org.isthmus.sip.testing.TestUserAgent;

/**
 * The bounds of {@link SipEdgeBoundsTest} over the edge's real TLS listening point (RFC 3261 §26.2.1),
 * played by JDK {@link SSLSocket} clients (issue 9): 10,000 header fields, a 60 KB header line, a header
 * section that never ends and a huge Content-Length get their 513 or 413 through TLS and the connection is
 * closed; a request sent a byte a second is cut at the message deadline; a connection that never starts
 * its handshake, or stops half way through its ClientHello, is closed at the handshake timeout; threads
 * and heap stay bounded (the JVM's MXBeans).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SipEdgeTlsBoundsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** The edge's TLS handshake timeout (SipEdge's connect timeout) and some slack. */
    private static final Duration HANDSHAKE_CLOSE = Duration.ofSeconds(12);
    private static final String HOST = "127.0.0.1";
    private static final int MAX_TCP_CONNECTIONS = 20;
    private static final SipMessageLimits LIMITS = new SipMessageLimits(65536, 256, 16384, Duration.ofSeconds(2),
            MAX_TCP_CONNECTIONS);

    private final RecordingHandler handler = new RecordingHandler();
    private SipEdge edge;
    private int tlsPort;
    private SSLContext client;

    @BeforeAll
    void start() {
        TestCertificates ca = TestCertificates.create();
        TestCertificates.Issued edgeCert = ca.issue("edge", "xmpp.test", HOST);
        client = ca.issue("ua", "sip.test").context();
        int port = TestUserAgent.freePort(HOST);
        do {
            tlsPort = TestUserAgent.freePort(HOST);
        } while (tlsPort == port);
        edge = new SipEdge(new SipSettings(HOST, port, Set.of("udp", "tcp"), Optional.empty(), "Isthmus-test/0")
                .withTls(new SipTls(tlsPort, edgeCert.key(), edgeCert.chain(), Optional.of(edgeCert.ca())))
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

    private static String message(String callId, String extra, String body) {
        return "MESSAGE sip:juliet@xmpp.test SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS 127.0.0.1:9;branch=z9hG4bK" + callId + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:romeo@sip.test>;tag=r1\r\nTo: <sip:juliet@xmpp.test>\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\n"
                + extra + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    /** Within the limits TLS serves as before: 200 extra header fields and a 10 KB one pass. */
    @Test
    void requestWithinTheLimitsIsServedOverTls() throws IOException {
        try (SSLSocket socket = connectTls()) {
            write(socket, message("tls-ok", headers(200) + longSubject(10 * 1024), "hi"));
            assertThat(SocketText.readUntil(socket, "\r\n\r\n", WAIT)).startsWith("SIP/2.0 202 ");
        }
        assertThat(handler.messages).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"10,000 header fields", "a 60 KB header line", "a header section that never ends",
            "a Content-Length of 2 GB"})
    void oversizedRequestOverTlsIsAnsweredAndTheConnectionClosed(String what) throws Exception {
        String callId = "tls-" + Integer.toHexString(what.hashCode());
        String request = switch (what) {
            case "10,000 header fields" -> message(callId, headers(10_000), "hi");
            case "a 60 KB header line" -> message(callId, longSubject(60 * 1024), "hi");
            case "a header section that never ends" -> message(callId, headers(200_000), "");
            default -> message(callId, "", "hi").replace("Content-Length: 2\r\n", "Content-Length: 2000000000\r\n");
        };
        String expected = what.startsWith("a Content-Length") ? "413 Request Entity Too Large"
                : "513 Message Too Large";
        try (SSLSocket socket = connectTls()) {
            Thread writer = new Thread(() -> writeUntilClosed(socket, request));
            writer.setDaemon(true);
            writer.start();
            String answer = SocketText.readUntil(socket, "\r\n\r\n", WAIT);
            assertThat(answer).startsWith("SIP/2.0 " + expected + "\r\n").contains("Call-ID: " + callId + "\r\n")
                    .contains("CSeq: 1 MESSAGE\r\n").contains("Via: SIP/2.0/TLS 127.0.0.1:9;branch=z9hG4bK" + callId);
            assertThat(closedByEdge(socket, WAIT)).as("connection closed after the " + expected).isTrue();
            writer.join(WAIT.toMillis());
        }
        assertThat(handler.messages.poll(500, TimeUnit.MILLISECONDS)).as("what reached the handler").isNull();
    }

    /** A request sent a byte a second through TLS is cut off at the message deadline (2 s here), unanswered. */
    @Test
    void requestSentAByteASecondOverTlsIsCutOff() throws Exception {
        String request = message("tls-slow", "", "hi");
        try (SSLSocket socket = connectTls()) {
            Thread writer = HostilePeer.trickle(socket, request);
            long start = System.nanoTime();
            assertThat(closedByEdge(socket, WAIT)).as("closed by the edge").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("well before the request was all sent")
                    .isLessThan(Duration.ofSeconds(request.length() / 2));
            writer.interrupt();
        }
        assertThat(handler.messages).isEmpty();
    }

    /** A TCP connection to the TLS port that never sends a ClientHello is closed at the handshake timeout. */
    @Test
    void handshakeNeverStartedIsClosed() throws Exception {
        try (Socket socket = connectPlain()) {
            long start = System.nanoTime();
            assertThat(closedByEdge(socket, HANDSHAKE_CLOSE)).as("closed by the edge").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(HANDSHAKE_CLOSE);
        }
    }

    /**
     * A ClientHello that stops half way (a TLS record header promising 512 bytes, then 10 of them, then a
     * byte a second) is closed at the handshake timeout, however long the trickle would last.
     */
    @Test
    void handshakeNeverCompletedIsClosed() throws Exception {
        try (Socket socket = connectPlain()) {
            OutputStream out = socket.getOutputStream();
            // RFC 8446 §5.1: content type handshake (22), legacy version 3.1, length 512.
            out.write(new byte[] {22, 3, 1, 2, 0, 1, 0, 1, (byte) 252, 3, 3, 0, 0, 0, 0});
            out.flush();
            Thread trickle = new Thread(() -> {
                try {
                    for (int i = 0; i < 60; i++) {
                        Thread.sleep(1000);
                        out.write(0);
                        out.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // Closed by the edge, or the test ended.
                }
            });
            trickle.setDaemon(true);
            trickle.start();
            long start = System.nanoTime();
            assertThat(closedByEdge(socket, HANDSHAKE_CLOSE)).as("closed by the edge").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(HANDSHAKE_CLOSE);
            trickle.interrupt();
        }
    }

    /**
     * A flood of connections to the TLS port that never handshake: the stack holds at most
     * {@link #MAX_TCP_CONNECTIONS} at a time (the rest wait in the kernel's backlog), so its threads grow by
     * no more than that many pairs; the handshake timeout frees them, and a real request is served again.
     */
    @Test
    void floodOfSilentConnectionsIsBoundedAndClearedByTheHandshakeTimeout() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int threadsBefore = threads.getThreadCount();
        List<Socket> flood = new ArrayList<>();
        int peak = 0;
        try {
            for (int i = 0; i < 200; i++) {
                Socket s = new Socket();
                try {
                    s.connect(new InetSocketAddress(HOST, tlsPort), 500);
                    flood.add(s);
                } catch (SocketTimeoutException backlogFull) {
                    s.close();
                    break;
                }
            }
            for (int i = 0; i < 10; i++) {
                peak = Math.max(peak, threads.getThreadCount() - threadsBefore);
                Thread.sleep(100);
            }
            assertThat(flood.size()).as("connections made").isGreaterThanOrEqualTo(MAX_TCP_CONNECTIONS);
            assertThat(peak).as("threads added by %d connections", flood.size())
                    .isLessThanOrEqualTo(2 * MAX_TCP_CONNECTIONS + 5);
            // The first ones accepted are closed by the edge at the handshake timeout.
            int closed = 0;
            for (Socket s : flood.subList(0, MAX_TCP_CONNECTIONS / 2)) {
                if (closedByEdge(s, HANDSHAKE_CLOSE)) {
                    closed++;
                }
            }
            assertThat(closed).as("silent connections closed by the edge").isEqualTo(MAX_TCP_CONNECTIONS / 2);
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String answer = "";
        while (!answer.startsWith("SIP/2.0 202") && System.nanoTime() < deadline) {
            try (SSLSocket socket = connectTls()) {
                write(socket, message("after-flood-" + System.nanoTime(), "", "hi"));
                answer = SocketText.readUntil(socket, "\r\n\r\n", WAIT);
            } catch (AssertionError | IOException notYet) {
                Thread.sleep(200);
            }
        }
        assertThat(answer).as("a request after the flood").startsWith("SIP/2.0 202");
    }

    /**
     * Three times {@link #MAX_TCP_CONNECTIONS} connections that hang up or send garbage instead of a
     * ClientHello: each failed handshake gives its place back, and the listener still serves a request
     * (JAIN-SIP alone kept each place, and stopped accepting after that many).
     */
    @Test
    void failedHandshakesGiveTheirConnectionPlacesBack() throws Exception {
        for (int i = 0; i < 3 * MAX_TCP_CONNECTIONS; i++) {
            try (Socket socket = connectPlain()) {
                if (i % 2 == 0) {
                    write(socket, "OPTIONS sip:x SIP/2.0\r\n\r\n");
                    assertThat(closedByEdge(socket, WAIT)).as("plain text on the TLS port closed").isTrue();
                }
            }
        }
        try (SSLSocket socket = connectTls()) {
            write(socket, message("after-failed-handshakes", "", "hi"));
            assertThat(SocketText.readUntil(socket, "\r\n\r\n", WAIT)).startsWith("SIP/2.0 202 ");
        }
    }

    /** 50 connections each refused a request of 10,000 header fields: all answered, heap and threads kept. */
    @Test
    void oversizedRequestsOnManyConnectionsLeaveHeapAndThreadsBounded() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int threadsBefore = threads.getThreadCount();
        long heapBefore = usedHeapAfterGc();
        String request = message("tls-flood", headers(10_000), "hi");
        int answered = 0;
        for (int i = 0; i < 50; i++) {
            try (SSLSocket socket = connectTls()) {
                Thread writer = new Thread(() -> writeUntilClosed(socket, request));
                writer.setDaemon(true);
                writer.start();
                if (SocketText.readUntil(socket, "\r\n\r\n", WAIT).startsWith("SIP/2.0 513 ")
                        && closedByEdge(socket, WAIT)) {
                    answered++;
                }
                writer.join(WAIT.toMillis());
            }
        }
        assertThat(answered).as("513s followed by a close").isEqualTo(50);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (threads.getThreadCount() - threadsBefore >= 5 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(threads.getThreadCount() - threadsBefore).as("threads added").isLessThan(5);
        assertThat(usedHeapAfterGc() - heapBefore).as("heap kept").isLessThan(64L << 20);
        assertThat(handler.messages).isEmpty();
    }

    // --- helpers ---

    private SSLSocket connectTls() throws IOException {
        SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(connectPlain(), HOST, tlsPort, true);
        socket.setUseClientMode(true);
        socket.setSoTimeout((int) WAIT.toMillis());
        socket.startHandshake();
        return socket;
    }

    private Socket connectPlain() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(HOST, tlsPort), 2000);
        return socket;
    }

    private static void write(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

}
