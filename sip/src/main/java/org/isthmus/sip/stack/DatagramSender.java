package org.isthmus.sip.stack;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Sends a datagram from the edge's UDP listening socket, so that it leaves from the port in the Via the
 * datagram carries and the answers come back to it (RFC 3261 §18.1.1, RFC 3581 §4).
 */
public interface DatagramSender {

    /** Sends {@code datagram} (a whole SIP message) to {@code to}. */
    void send(byte[] datagram, InetSocketAddress to) throws IOException;
}
