package org.isthmus.xmpp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.isthmus.xmpp.stream.Namespaces;
import org.isthmus.xmpp.testing.RecordingHandler;

/**
 * The component link against a hostile XMPP server on a real loopback socket (issue 9): a server that
 * trickles its stream header a byte a second is cut by the handshake deadline with
 * {@code <connection-timeout/>}, and one that trickles a stanza after the handshake by the stanza
 * deadline with {@code <policy-violation/>} (RFC 6120 §4.9.3.4, §4.9.3.14).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ComponentLinkBoundsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String DOMAIN = "sip.example.net";
    private static final String SECRET = "s3cr3t";
    private static final String SERVER_HEADER = "<?xml version='1.0'?><stream:stream xmlns='"
            + Namespaces.COMPONENT_ACCEPT + "' xmlns:stream='" + Namespaces.STREAMS + "' from='" + DOMAIN
            + "' id='slow-1'>";

    private final RecordingHandler handler = new RecordingHandler();
    private ComponentLink link;

    @AfterEach
    void tearDown() {
        if (link != null) {
            link.close();
        }
    }

    private ComponentLink start(ServerSocket server, Duration handshakeTimeout, Duration stanzaTimeout) {
        ComponentSettings settings = new ComponentSettings("127.0.0.1", server.getLocalPort(), DOMAIN, SECRET,
                Duration.ofSeconds(30), Duration.ofSeconds(30), handshakeTimeout, 64 * 1024,
                ComponentSettings.DEFAULT_PING_INTERVAL, stanzaTimeout);
        link = new ComponentLink(settings, handler);
        link.start();
        return link;
    }

    @Test
    void serverHeaderSentAByteASecondEndsWithConnectionTimeout() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            start(server, Duration.ofSeconds(2), Duration.ofSeconds(60));
            try (Socket socket = server.accept()) {
                StringBuilder received = new StringBuilder();
                readUntil(socket, received, "<stream:stream");
                trickle(socket, SERVER_HEADER, Duration.ofSeconds(1));
                assertThat(readUntil(socket, received, "</stream:stream>")).contains("<connection-timeout")
                        .contains("no handshake reply within 2000 ms");
                assertThat(closedByPeer(socket)).isTrue();
            }
        }
        assertThat(link.isUp()).isFalse();
    }

    @Test
    void stanzaSentAByteASecondAfterTheHandshakeEndsWithPolicyViolation() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            start(server, Duration.ofSeconds(5), Duration.ofSeconds(2));
            try (Socket socket = server.accept()) {
                StringBuilder received = new StringBuilder();
                readUntil(socket, received, "<stream:stream");
                write(socket, SERVER_HEADER);
                readUntil(socket, received, "</handshake>");
                write(socket, "<handshake/>");
                assertThat(handler.takeState(WAIT).up()).isTrue();
                trickle(socket, "<message from='juliet@example.com' to='romeo@" + DOMAIN + "'><body>slow</body></message>",
                        Duration.ofSeconds(1));
                assertThat(readUntil(socket, received, "</stream:stream>")).contains("<policy-violation")
                        .contains("stanza not complete within 2000 ms");
                assertThat(closedByPeer(socket)).isTrue();
            }
        }
        assertThat(handler.pollMessage(Duration.ofMillis(200))).isNull();
    }

    /** Writes {@code text} a byte at a time, one every {@code gap}, until it is out or the link hangs up. */
    private static void trickle(Socket socket, String text, Duration gap) throws InterruptedException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            OutputStream out = socket.getOutputStream();
            for (byte b : bytes) {
                out.write(b);
                out.flush();
                if (socket.getInputStream().available() > 0) {
                    return;
                }
                Thread.sleep(gap.toMillis());
            }
        } catch (IOException closed) {
            // The link hung up: what it sent before is read by the caller.
        }
    }

    private static void write(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    /** Reads into {@code received} until it holds {@code text}; fails the test after {@link #WAIT}. */
    private static String readUntil(Socket socket, StringBuilder received, String text) throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        while (received.indexOf(text) < 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("did not receive '" + text + "'; got: " + received);
            }
            socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            int n;
            try {
                n = in.read(buffer);
            } catch (SocketTimeoutException e) {
                continue;
            }
            if (n < 0) {
                throw new AssertionError("closed before '" + text + "'; got: " + received);
            }
            received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        return received.toString();
    }

    private static boolean closedByPeer(Socket socket) throws IOException {
        socket.setSoTimeout((int) WAIT.toMillis());
        try {
            byte[] buffer = new byte[4096];
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                if (socket.getInputStream().read(buffer) < 0) {
                    return true;
                }
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
