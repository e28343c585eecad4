package org.isthmus.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SipPagerMessage;

/**
 * The non-INVITE client transaction of a MESSAGE the edge sends (RFC 3261 §17.1.2), seen from a peer on a
 * bare socket: over UDP the same request again until answered, one outcome however many answers; over
 * TCP (reliable, §17.1.2.2) the request once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SipEdgeMessageTransactionTest {

    private static final String HOST = "127.0.0.1";
    /** A short T1 so that Timer F (64*T1) is 3.2 s. */
    private static final Duration T1 = Duration.ofMillis(50);
    private static final Duration QUIET = Duration.ofMillis(700);

    private SipEdge edge;

    @BeforeAll
    void start() {
        int port = org.isthmus.sip.testing.TestUserAgent.freePort(HOST);
        edge = new SipEdge(new SipSettings(HOST, port, Set.of("udp", "tcp"), Optional.empty(), "Isthmus-test/0"),
                new RecordingHandler(), new EdgeTimers(Duration.ofSeconds(2), Duration.ofSeconds(35), Optional.of(T1),
                Duration.ofSeconds(10)));
        edge.start();
    }

    @AfterAll
    void stop() {
        edge.close();
    }

    private static SipPagerMessage message(String text) {
        return new SipPagerMessage(SipUri.of("juliet", "xmpp.example"), SipUri.of("romeo", "sip.example"),
                SipUri.of("romeo", "sip.example"), Optional.empty(), MediaType.TEXT_PLAIN_UTF8,
                text.getBytes(StandardCharsets.UTF_8), Optional.empty(), Optional.empty());
    }

    @Test
    void aPeerThatAnswersOnlyTheThirdCopyGetsItsAnswerReportedOnce() throws Exception {
        try (RawUdp peer = new RawUdp()) {
            CompletableFuture<SipOutcome> outcome = edge.sendMessage(message("third time lucky"),
                    SipTarget.via(SipUri.of("romeo", "sip.example"), new SipHop(HOST, peer.port(), "udp")));
            List<String> copies = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                copies.add(peer.receive(Duration.ofSeconds(5)).orElseThrow());
            }
            assertThat(copies).allMatch(copies.get(0)::equals);
            assertThat(copies.get(0)).startsWith("MESSAGE sip:romeo@sip.example SIP/2.0\r\n").endsWith("third time lucky");
            // The answer, and a retransmission of it (§17.2.2), as a UAS whose first answer was slow.
            peer.send(answer(copies.get(2), "200 OK"), portOf(copies.get(2)));
            peer.send(answer(copies.get(2), "200 OK"), portOf(copies.get(2)));

            assertThat(outcome.get(5, TimeUnit.SECONDS).status().code()).isEqualTo(200);
            assertThat(peer.receiveAll(QUIET)).isEmpty();
        }
    }

    @Test
    void anUnansweredRequestEndsIn408AfterTimerF() throws Exception {
        try (RawUdp peer = new RawUdp()) {
            CompletableFuture<SipOutcome> outcome = edge.sendMessage(message("anyone?"),
                    SipTarget.via(SipUri.of("romeo", "sip.example"), new SipHop(HOST, peer.port(), "udp")));

            assertThat(outcome.get(15, TimeUnit.SECONDS).status().code()).isEqualTo(408);
            List<String> copies = peer.receiveAll(QUIET);
            assertThat(copies).hasSizeBetween(5, 7);
            assertThat(copies).allMatch(copies.get(0)::equals);
        }
    }

    @Test
    void aFinalAnswerAfterAProvisionalOneEndsTheTransaction() throws Exception {
        try (RawUdp peer = new RawUdp()) {
            CompletableFuture<SipOutcome> outcome = edge.sendMessage(message("wait for it"),
                    SipTarget.via(SipUri.of("romeo", "sip.example"), new SipHop(HOST, peer.port(), "udp")));
            String request = peer.receive(Duration.ofSeconds(5)).orElseThrow();
            peer.send(answer(request, "100 Trying"), portOf(request));
            // Proceeding retransmits only every T2 (4 s): within a second, at most the copies sent before the 100 arrived.
            List<String> meanwhile = peer.receiveAll(Duration.ofMillis(1000));
            assertThat(meanwhile).hasSizeLessThanOrEqualTo(2);
            peer.send(answer(request, "202 Accepted"), portOf(request));

            assertThat(outcome.get(5, TimeUnit.SECONDS).status().code()).isEqualTo(202);
        }
    }

    @Test
    void overTcpTheRequestIsSentOnce() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            server.setSoTimeout(5000);
            CompletableFuture<SipOutcome> outcome = edge.sendMessage(message("once is enough"),
                    SipTarget.via(SipUri.of("romeo", "sip.example"), new SipHop(HOST, server.getLocalPort(), "tcp")));
            try (Socket connection = server.accept()) {
                connection.setSoTimeout((int) QUIET.toMillis());
                InputStream in = connection.getInputStream();
                String request = readMessage(in);
                assertThat(request).startsWith("MESSAGE ").endsWith("once is enough");
                // Eight times T1 and no second copy: TCP is reliable (§17.1.2.2, Timer E is for UDP only).
                assertThat(readAnything(in)).isEmpty();
                OutputStream out = connection.getOutputStream();
                out.write(answer(request, "200 OK").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();

                assertThat(outcome.get(5, TimeUnit.SECONDS).status().code()).isEqualTo(200);
            }
        }
    }

    /** A response to {@code request} (CRLF lines) in RawUdp's LF form: its Via, From, To with a tag, Call-ID, CSeq. */
    private static String answer(String request, String status) {
        StringBuilder sb = new StringBuilder("SIP/2.0 ").append(status).append('\n');
        for (String line : request.substring(0, request.indexOf("\r\n\r\n")).split("\r\n")) {
            String name = line.contains(":") ? line.substring(0, line.indexOf(':')) : "";
            switch (name) {
                case "Via", "From", "Call-ID", "CSeq" -> sb.append(line).append('\n');
                case "To" -> sb.append(line).append(";tag=peer\n");
                default -> {
                }
            }
        }
        return sb.append("Content-Length: 0\n\n").toString();
    }

    /** The port in the request's Via (the edge's), where the answer goes (§18.2.2). */
    private static int portOf(String request) {
        int via = request.indexOf("Via: SIP/2.0/UDP ");
        String hostPort = request.substring(via + "Via: SIP/2.0/UDP ".length(), request.indexOf(';', via));
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    /** One message from a stream: the header section, then Content-Length bytes of body. */
    private static String readMessage(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.UTF_8).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0 || head.size() > 8192) {
                throw new IllegalStateException("no whole header section: " + head);
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.UTF_8);
        int at = text.toLowerCase().indexOf("\r\ncontent-length:");
        int length = Integer.parseInt(text.substring(at + "\r\ncontent-length:".length(), text.indexOf("\r\n", at + 2)).trim());
        return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** Whatever arrives before the socket's timeout. */
    private static String readAnything(InputStream in) throws Exception {
        byte[] buf = new byte[4096];
        try {
            int n = in.read(buf);
            return n < 0 ? "" : new String(buf, 0, n, StandardCharsets.UTF_8);
        } catch (SocketTimeoutException e) {
            return "";
        }
    }
}
