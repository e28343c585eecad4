package org.isthmus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.sip.testing.SocketText;
import org.isthmus.sip.testing.TestUserAgent;

/**
 * The resource bounds of issue 9 against the gateway as users run it: a process of its own, its SIP
 * and s2s listeners on loopback, and its threads and heap read through its own JMX MXBeans (a local
 * RMI connector on a free port). Hostile SIP over UDP and TCP, hostile XML streams and a flood of
 * connections each get their answer, and afterwards the process holds about what it held before.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BoundsEndToEndTest {

    private static final Logger LOG = LoggerFactory.getLogger(BoundsEndToEndTest.class);

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String HOST = "127.0.0.1";
    private static final int MAX_INBOUND = 50;

    @TempDir
    Path dir;

    private GatewayProcess gateway;
    private JMXConnector jmx;

    @AfterEach
    void stop() throws Exception {
        if (jmx != null) {
            jmx.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void hostileInputGetsItsAnswersAndTheGatewayKeepsItsThreadsAndHeap() throws Exception {
        int sipPort = TestUserAgent.freePort(HOST);
        int s2sPort = freePort();
        int jmxPort = freePort();
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                xmpp:
                  domains: [xmpp.test]
                  s2s:
                    gateway-domain: gw.test
                    listen: {address: 127.0.0.1, port: %d}
                    dialback-secret: a-long-enough-secret
                    require-tls: false
                    dns: false
                    stanza-timeout: 2s
                    max-inbound-streams: %d
                sip:
                  listen: {address: 127.0.0.1, port: %d, message-timeout: 3s}
                """.formatted(s2sPort, MAX_INBOUND, sipPort));
        gateway = GatewayProcess.start(config, dir.resolve("gateway.log"), List.of(
                "-Dcom.sun.management.jmxremote.port=" + jmxPort, "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort,
                "-Dcom.sun.management.jmxremote.host=" + HOST, "-Djava.rmi.server.hostname=" + HOST,
                "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false"));
        MBeanServerConnection mbeans = connectJmx(jmxPort);
        ThreadMXBean threads = ManagementFactory.newPlatformMXBeanProxy(mbeans, ManagementFactory.THREAD_MXBEAN_NAME,
                ThreadMXBean.class);
        MemoryMXBean memory = ManagementFactory.newPlatformMXBeanProxy(mbeans, ManagementFactory.MEMORY_MXBEAN_NAME,
                MemoryMXBean.class);
        awaitSipAnswers(sipPort);
        int threadsBefore = threads.getThreadCount();
        long heapBefore = heapAfterGc(memory);

        // SIP over UDP: 100 requests of 10,000 header fields, 100 with a 60 KB header line.
        try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            udp.setSoTimeout((int) WAIT.toMillis());
            for (int i = 0; i < 100; i++) {
                assertThat(udpAnswer(udp, sipPort, message("UDP", udp.getLocalPort(), "udp-10k-" + i, headers(10_000))))
                        .startsWith("SIP/2.0 513 Message Too Large");
                assertThat(udpAnswer(udp, sipPort, message("UDP", udp.getLocalPort(), "udp-60k-" + i,
                        "Subject: " + "a".repeat(60 * 1024) + "\r\n"))).startsWith("SIP/2.0 513 Message Too Large");
            }
        }
        // SIP over TCP: 10,000 header fields, a 60 KB line, a 2 GB Content-Length, a request a byte a second.
        assertThat(tcpAnswer(sipPort, message("TCP", 9, "tcp-10k", headers(10_000)))).startsWith("SIP/2.0 513 ");
        assertThat(tcpAnswer(sipPort, message("TCP", 9, "tcp-60k", "Subject: " + "a".repeat(60 * 1024) + "\r\n")))
                .startsWith("SIP/2.0 513 ");
        assertThat(tcpAnswer(sipPort, message("TCP", 9, "tcp-cl", "").replace("Content-Length: 2\r\n",
                "Content-Length: 2000000000\r\n"))).startsWith("SIP/2.0 413 ");
        try (Socket slow = new Socket()) {
            slow.connect(new InetSocketAddress(HOST, sipPort), 2000);
            String request = message("TCP", 9, "tcp-slow", "");
            boolean cut = false;
            for (int i = 0; i < 20 && !cut; i++) {
                try {
                    slow.getOutputStream().write(request.charAt(i));
                    slow.setSoTimeout(1000);
                    cut = slow.getInputStream().read() < 0;
                } catch (SocketTimeoutException stillOpen) {
                    // a byte a second: the read waited that second
                } catch (IOException reset) {
                    cut = true;
                }
            }
            assertThat(cut).as("a request sent a byte a second is cut off within 20 s").isTrue();
        }

        // XMPP s2s: 100,000 namespace declarations, a stanza a byte a second, a flood of connections.
        StringBuilder declarations = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            declarations.append(" xmlns:n").append(i).append("='urn:x:").append(i).append('\'');
        }
        try (Socket peer = s2sStream(s2sPort)) {
            writeQuietly(peer, "<message from='romeo@xmpp.test' to='juliet@gw.test'" + declarations + "/>");
            assertThat(readUntil(peer, "</stream:stream>")).contains("<policy-violation");
        }
        try (Socket peer = s2sStream(s2sPort)) {
            String stanza = "<message from='romeo@xmpp.test' to='juliet@gw.test'><body>slow</body></message>";
            for (int i = 0; i < 5; i++) {
                writeQuietly(peer, stanza.substring(i, i + 1));
                Thread.sleep(1000);
            }
            assertThat(readUntil(peer, "</stream:stream>")).contains("<policy-violation");
        }
        List<Socket> flood = new ArrayList<>();
        int floodThreads;
        try {
            for (int i = 0; i < 4 * MAX_INBOUND; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(HOST, s2sPort), 2000);
                flood.add(s);
            }
            assertThat(readUntil(flood.get(flood.size() - 1), "</stream:stream>")).contains("<resource-constraint");
            floodThreads = threads.getThreadCount();
            assertThat(floodThreads - threadsBefore).as("threads during the flood").isLessThan(50);
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }

        // Afterwards: a request is served as before, and threads and heap are back near where they were.
        awaitSipAnswers(sipPort);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (threads.getThreadCount() - threadsBefore >= 20 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        int threadsAfter = threads.getThreadCount();
        long heapAfter = heapAfterGc(memory);
        LOG.info("gateway process: threads {} before, {} during the s2s flood, {} after; heap after GC {} KiB before, "
                + "{} KiB after", threadsBefore, floodThreads, threadsAfter, heapBefore / 1024, heapAfter / 1024);
        assertThat(threadsAfter - threadsBefore).as("threads kept").isLessThan(20);
        assertThat(heapAfter - heapBefore).as("heap kept").isLessThan(64L << 20);
    }

    private MBeanServerConnection connectJmx(int port) throws Exception {
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + HOST + ":" + port + "/jmxrmi");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                jmx = JMXConnectorFactory.connect(url);
                return jmx.getMBeanServerConnection();
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no JMX connector on port " + port + "; see " + dir.resolve("gateway.log"),
                            notYet);
                }
                Thread.sleep(200);
            }
        }
    }

    private static long heapAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            memory.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** Waits until an OPTIONS over UDP gets a final answer: the SIP edge is up. */
    private static void awaitSipAnswers(int sipPort) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            udp.setSoTimeout(500);
            while (System.nanoTime() < deadline) {
                String options = message("UDP", udp.getLocalPort(), "ready-" + System.nanoTime(), "")
                        .replace("MESSAGE", "OPTIONS");
                try {
                    if (udpAnswer(udp, sipPort, options).startsWith("SIP/2.0 200")) {
                        return;
                    }
                } catch (SocketTimeoutException notYet) {
                    // not listening yet
                }
            }
        }
        throw new AssertionError("the SIP edge did not answer OPTIONS within 60 s");
    }

    private static String message(String transport, int viaPort, String callId, String extra) {
        return "MESSAGE sip:juliet@xmpp.test SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + viaPort + ";branch=z9hG4bK" + callId + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:romeo@sip.test>;tag=r1\r\nTo: <sip:juliet@xmpp.test>\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\n"
                + extra + "Content-Length: 2\r\n\r\nhi";
    }

    private static String headers(int count) {
        StringBuilder sb = new StringBuilder(count * 5);
        for (int i = 0; i < count; i++) {
            sb.append("X:").append(i % 10).append("\r\n");
        }
        return sb.toString();
    }

    private static String udpAnswer(DatagramSocket udp, int port, String request) throws IOException {
        byte[] bytes = request.getBytes(StandardCharsets.US_ASCII);
        udp.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
        byte[] buffer = new byte[65536];
        DatagramPacket answer = new DatagramPacket(buffer, buffer.length);
        udp.receive(answer);
        return new String(buffer, 0, answer.getLength(), StandardCharsets.US_ASCII);
    }

    private static String tcpAnswer(int port, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 2000);
            writeQuietly(socket, request);
            return readUntil(socket, "\r\n\r\n");
        }
    }

    /** A raw s2s stream to the gateway whose header has been answered with features. */
    private static Socket s2sStream(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(HOST, port), 2000);
        writeQuietly(socket, "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
                + "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
                + "from='xmpp.test' to='gw.test' version='1.0'>");
        readUntil(socket, "</stream:features>");
        return socket;
    }

    private static void writeQuietly(Socket socket, String text) {
        try {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        } catch (IOException closedEarly) {
            // The gateway hung up before all was written; what it answered is read next.
        }
    }

    private static String readUntil(Socket socket, String text) throws IOException {
        return SocketText.readUntil(socket, text, WAIT);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
