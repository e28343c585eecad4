package org.isthmus.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.isthmus.gateway.config.AdminSettings;

/**
 * The admin server's transport on real loopback sockets with small limits and one echoing endpoint:
 * the connection limit, the idle timeout, keep-alive, a request split across writes.
 */
class AdminServerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final AdminServer.Limits SMALL = new AdminServer.Limits(256, 1024, 0, Duration.ofMillis(300), 2);

    private final List<Socket> sockets = new ArrayList<>();
    private AdminServer server;

    /** Echoes the path and the query back. */
    private static AdminResponse echo(String path, Map<String, List<String>> query) {
        return AdminResponse.json(200, "{\"path\":\"" + path + "\",\"query\":\"" + query + "\"}");
    }

    private InetSocketAddress start(AdminServer.Limits limits) {
        server = new AdminServer(new AdminSettings("127.0.0.1", 0, Optional.empty()), limits, AdminServerTest::echo);
        return server.start();
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Socket connect(InetSocketAddress at) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.connect(at, (int) WAIT.toMillis());
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    /** Reads one response whose body has a Content-Length, or everything until the server closes. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int length = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                return out.toString(StandardCharsets.ISO_8859_1);
            }
            out.write(b);
            String text = out.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end >= 0 && length < 0) {
                String lower = text.toLowerCase(Locale.ROOT);
                int at = lower.indexOf("content-length: ");
                length = Integer.parseInt(lower.substring(at + 16, lower.indexOf('\r', at)).trim());
            }
            if (end >= 0 && text.length() - end - 4 >= length) {
                return text;
            }
        }
    }

    @Test
    void connectionsBeyondTheLimitGet503AndAreClosed() throws Exception {
        InetSocketAddress at = start(new AdminServer.Limits(256, 1024, 0, Duration.ofSeconds(30), 2));
        connect(at);
        connect(at);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.openConnections() < 2) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(10);
        }
        Socket third = connect(at);
        assertThat(readResponse(third.getInputStream())).startsWith("HTTP/1.1 503 ");
        assertThat(third.getInputStream().read()).isEqualTo(-1);
        assertThat(server.openConnections()).isEqualTo(2);

        // Once one closes, a new connection is served.
        sockets.get(0).close();
        while (server.openConnections() > 1) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(10);
        }
        Socket fourth = connect(at);
        fourth.getOutputStream().write("GET /x HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readResponse(fourth.getInputStream())).startsWith("HTTP/1.1 200 ");
    }

    @Test
    void anIdleConnectionIsClosed() throws Exception {
        Socket s = connect(start(SMALL));
        long started = System.nanoTime();
        assertThat(s.getInputStream().read()).isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(250))
                .isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aKeptAliveConnectionServesRequestsOneAfterAnother() throws Exception {
        Socket s = connect(start(SMALL));
        OutputStream out = s.getOutputStream();
        out.write("GET /one?a=1 HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String first = readResponse(s.getInputStream());
        assertThat(first).startsWith("HTTP/1.1 200 ").containsIgnoringCase("Cache-Control: no-store")
                .endsWith("{\"path\":\"/one\",\"query\":\"{a=[1]}\"}");
        out.write("GET /two HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 ").containsIgnoringCase("Connection: close")
                .endsWith("{\"path\":\"/two\",\"query\":\"{}\"}");
        assertThat(s.getInputStream().read()).isEqualTo(-1);
    }

    @Test
    void aRequestSplitAtEveryByteIsReadWhole() throws Exception {
        Socket s = connect(start(new AdminServer.Limits(256, 1024, 0, Duration.ofSeconds(30), 2)));
        s.setTcpNoDelay(true);
        byte[] request = "GET /split?x=%C3%A9 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        for (byte b : request) {
            s.getOutputStream().write(b);
            s.getOutputStream().flush();
        }
        String answer = new String(readResponse(s.getInputStream()).getBytes(StandardCharsets.ISO_8859_1),
                StandardCharsets.UTF_8);
        assertThat(answer).startsWith("HTTP/1.1 200 ").endsWith("{\"path\":\"/split\",\"query\":\"{x=[\u00e9]}\"}");
    }

    @Test
    void aBusyPortFailsTheStartWithTheAddress() throws Exception {
        InetSocketAddress at = start(SMALL);
        AdminServer second = new AdminServer(new AdminSettings("127.0.0.1", at.getPort(), Optional.empty()), SMALL,
                AdminServerTest::echo);
        assertThatThrownBy(second::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("127.0.0.1:" + at.getPort());
        second.close();
    }
}
