package org.isthmus.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import javax.sip.message.Response;

import gov.nist.javax.sip.message.MessageFactoryImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.isthmus.mapping.error.SipStatus;

/**
 * The edge's own non-INVITE client transactions over UDP (RFC 3261 §17.1.2): datagrams sent from a real
 * socket to a real one, responses handed in as the edge's listener hands them, each end reported once.
 */
class MessageFlightsTest {

    private static final Duration T1 = Duration.ofMillis(50);
    private static final Duration T4 = Duration.ofMillis(300);
    private static final Duration QUIET = Duration.ofMillis(600);

    private ScheduledThreadPoolExecutor timer;
    private DatagramSocket socket;
    private RawUdp peer;
    private MessageFlights flights;
    /** When each datagram left (the sender's clock, not the receiver's, which a busy machine delays). */
    private final List<Long> sent = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        timer = new ScheduledThreadPoolExecutor(1);
        timer.setRemoveOnCancelPolicy(true);
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        peer = new RawUdp();
        flights = new MessageFlights((datagram, to) -> {
            sent.add(System.nanoTime());
            socket.send(new DatagramPacket(datagram, datagram.length, to));
        }, timer, T1, T4);
    }

    @AfterEach
    void stop() {
        flights.closeAll();
        timer.shutdownNow();
        socket.close();
        peer.close();
    }

    @Test
    void aResponseAndItsRetransmissionsAreReportedOnceThenForgottenAfterTimerK() throws Exception {
        Recording flight = flight("z9hG4bKonce");
        flights.start(flight);
        assertThat(peer.receive(Duration.ofSeconds(5))).contains(text(flight));

        assertThat(flights.response("z9hG4bKonce", response(200))).isTrue();
        assertThat(flights.response("z9hG4bKonce", response(200))).isTrue();
        assertThat(flights.response("z9hG4bKonce", response(500))).isTrue();

        assertThat(flight.ends).containsExactly("200");
        // Completed: nothing is sent again.
        assertThat(peer.receiveAll(QUIET)).isEmpty();
        awaitSize(0, Duration.ofSeconds(5));
        // After Timer K the branch is no longer this layer's: the edge drops such a response as stray.
        assertThat(flights.response("z9hG4bKonce", response(200))).isFalse();
        assertThat(flight.ends).containsExactly("200");
    }

    @Test
    void timerEDoublesUntilAnAnswerThenStops() throws Exception {
        Recording flight = flight("z9hG4bKthird");
        flights.start(flight);
        for (int i = 0; i < 3; i++) {
            assertThat(peer.receive(Duration.ofSeconds(5))).contains(text(flight));
        }
        flights.response("z9hG4bKthird", response(202));

        assertThat(flight.ends).containsExactly("202");
        // Never sooner than T1, then 2*T1 (less the sweep's tick, which may run an entry early), as sent:
        // arrivals at a receiver that was descheduled can come bunched together.
        long tick = TimeUnit.MILLISECONDS.toNanos(MessageFlights.TICK_MILLIS);
        assertThat(sent).hasSizeGreaterThanOrEqualTo(3);
        assertThat(sent.get(1) - sent.get(0)).isGreaterThanOrEqualTo(T1.toNanos() - tick);
        assertThat(sent.get(2) - sent.get(1)).isGreaterThanOrEqualTo(2 * T1.toNanos() - tick);
        assertThat(peer.receiveAll(QUIET)).isEmpty();
    }

    @Test
    void aProvisionalResponseSlowsRetransmissionsToT2() throws Exception {
        Recording flight = flight("z9hG4bKproceeding");
        flights.start(flight);
        assertThat(peer.receive(Duration.ofSeconds(5))).isPresent();
        flights.response("z9hG4bKproceeding", response(100));

        // In Trying a copy would come after T1, 2*T1, 4*T1...; in Proceeding only after T2 (4 s).
        assertThat(peer.receiveAll(Duration.ofMillis(1000))).isEmpty();
        flights.response("z9hG4bKproceeding", response(200));
        assertThat(flight.ends).containsExactly("200");
    }

    @Test
    void timerFEndsAnUnansweredRequestWithOne408() throws Exception {
        Recording flight = flight("z9hG4bKsilent");
        flights.start(flight);

        // 64*T1 = 3.2 s; copies at about 0.05, 0.15, 0.35, 0.75, 1.55 and 3.15 s.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (flight.ends.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(flight.ends).containsExactly("408");
        assertThat(flights.size()).isZero();
        List<String> copies = peer.receiveAll(QUIET);
        assertThat(copies).hasSizeBetween(5, 7).allMatch(text(flight)::equals);
        // A response after Timer F is no longer this layer's, and nothing is reported again.
        assertThat(flights.response("z9hG4bKsilent", response(200))).isFalse();
        assertThat(peer.receiveAll(QUIET)).isEmpty();
        assertThat(flight.ends).containsExactly("408");
    }

    @Test
    void closingEndsWhatIsLiveWith503() throws Exception {
        Recording flight = flight("z9hG4bKclosing");
        flights.start(flight);
        flights.closeAll();
        flights.response("z9hG4bKclosing", response(200));

        assertThat(flight.ends).containsExactly("503");
        Recording late = flight("z9hG4bKlate");
        flights.start(late);
        assertThat(late.ends).containsExactly("503");
    }

    private void awaitSize(int size, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (flights.size() != size && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(flights.size()).isEqualTo(size);
    }

    private Recording flight(String branch) {
        String text = "MESSAGE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + socket.getLocalPort()
                + ";branch=" + branch + "\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n";
        return new Recording(branch, text.getBytes(StandardCharsets.UTF_8),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), peer.port()));
    }

    private static String text(Recording flight) {
        return new String(flight.datagram, StandardCharsets.UTF_8);
    }

    private static Response response(int code) throws Exception {
        return new MessageFactoryImpl().createResponse("SIP/2.0 " + code + " X\r\nVia: SIP/2.0/UDP 127.0.0.1:5060"
                + ";branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: c\r\nCSeq: 1 MESSAGE\r\n"
                + "Content-Length: 0\r\n\r\n");
    }

    /** Records each reported end. */
    private static final class Recording extends MessageFlights.Flight {
        final List<String> ends = new CopyOnWriteArrayList<>();

        Recording(String branch, byte[] datagram, InetSocketAddress to) {
            super(branch, datagram, to);
        }

        @Override
        void ended(Response response, SipStatus status, String why) {
            ends.add(Integer.toString(status.code()));
        }
    }
}
