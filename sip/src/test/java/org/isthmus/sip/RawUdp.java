package org.isthmus.sip;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A bare UDP socket for requests a SIP stack would not build: wrong schemes, retransmissions, no Content-Type. */
final class RawUdp implements AutoCloseable {

    private final DatagramSocket socket;

    RawUdp() throws IOException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    }

    int port() {
        return socket.getLocalPort();
    }

    /** Sends {@code text} with each line ending in CRLF; {@code %PORT%} becomes this socket's port. */
    void send(String text, int toPort) throws IOException {
        byte[] bytes = text.replace("%PORT%", Integer.toString(port())).replace("\n", "\r\n")
                .getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), toPort));
    }

    /** The next datagram, or empty when none comes within {@code timeout}. */
    Optional<String> receive(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        byte[] buf = new byte[65536];
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        }
        return Optional.of(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
    }

    /** Every datagram received until {@code quiet} passes without one. */
    List<String> receiveAll(Duration quiet) throws IOException {
        List<String> out = new ArrayList<>();
        socket.setSoTimeout((int) quiet.toMillis());
        byte[] buf = new byte[65536];
        while (true) {
            DatagramPacket packet = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                return out;
            }
            out.add(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
