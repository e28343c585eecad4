package org.isthmus.sip.stack;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.sip.SipMessageLimits;

/**
 * The UDP listening socket: a datagram whose message passes a {@link SipMessageLimits} bound is answered
 * here (513 Message Too Large or 414, RFC 3261 §21) and never reaches JAIN-SIP's parser; the stack's
 * receive loop just gets the next datagram. The answer goes back to the address the datagram came from,
 * as RFC 3581 §4 has it for a client that asked; before parsing, the Via is not trusted to name another.
 */
final class GuardedDatagramSocket extends DatagramSocket {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedDatagramSocket.class);

    private final SipMessageLimits limits;

    GuardedDatagramSocket(int port, InetAddress bindAddress, SipMessageLimits limits) throws SocketException {
        super(port, bindAddress);
        this.limits = limits;
    }

    @Override
    public void receive(DatagramPacket packet) throws IOException {
        int capacity = packet.getLength();
        while (true) {
            packet.setLength(capacity);
            super.receive(packet);
            int from = packet.getOffset();
            int to = from + packet.getLength();
            // Bounds only, no copy of any line; a refused datagram is read again for its answer's fields.
            if (new MessageFraming(limits, false, false).scan(packet.getData(), from, to) < 0) {
                return;
            }
            MessageFraming framing = new MessageFraming(limits, false);
            framing.scan(packet.getData(), from, to);
            MessageFraming.Rejection rejection = framing.rejection().orElseThrow();
            Optional<byte[]> response = framing.response();
            LOG.info("SIP udp from {}: refused a {}-byte datagram with {}: {}{}", packet.getSocketAddress(),
                    packet.getLength(), rejection.status(), rejection.why(), response.isEmpty() ? " (not answerable)" : "");
            if (response.isPresent()) {
                send(new DatagramPacket(response.get(), response.get().length, packet.getSocketAddress()));
            }
        }
    }
}
