package org.isthmus.sip;

import java.time.Duration;
import java.util.Objects;

/**
 * What one peer's message may cost the edge before it is parsed (RFC 3261 §18.3 leaves the limits to
 * the implementation). A request past a size limit is answered 513 Message Too Large (§21.5.7), one
 * that declares a body past {@code maxMessageBytes} 413 Request Entity Too Large (§21.4.11), and over
 * TCP the connection is then closed, as §21.4.11 allows, since the rest of the stream cannot be framed.
 *
 * @param maxMessageBytes   the largest message, header section and body, over any transport
 * @param maxHeaders        the most header fields in one message
 * @param maxHeaderBytes    the longest header field, folded lines included
 * @param messageTimeout    how long a TCP peer may take from a message's first byte to its last; a
 *                          slower one is disconnected, so a peer sending a byte a second cannot hold a
 *                          connection and its thread
 * @param maxTcpConnections TCP connections held at once (each costs JAIN-SIP two threads); past it the
 *                          stack stops accepting and the kernel's backlog holds the rest until one ends
 * @param maxMessageTransactions received MESSAGE transactions held at once: those waiting for the gateway's
 *                          answer and, over UDP, those answered and kept for Timer J (64*T1 = 32 s, RFC 3261
 *                          §17.2.2) to answer a retransmission again; past it a new MESSAGE is answered
 *                          503 with Retry-After, so a flood cannot grow the table without limit. About half
 *                          a kilobyte each when answered.
 */
public record SipMessageLimits(int maxMessageBytes, int maxHeaders, int maxHeaderBytes, Duration messageTimeout,
                               int maxTcpConnections, int maxMessageTransactions) {

    /**
     * 400,000 MESSAGE transactions held at once: 12,500 MESSAGEs a second over UDP for Timer J's 32 s, about
     * 200 MB at most.
     */
    public static final int DEFAULT_MAX_MESSAGE_TRANSACTIONS = 400_000;

    /**
     * 64 KiB messages (the UDP maximum, RFC 768), 256 header fields of up to 16 KiB, 30 s a message,
     * 1024 connections, {@link #DEFAULT_MAX_MESSAGE_TRANSACTIONS} MESSAGE transactions.
     */
    public static final SipMessageLimits DEFAULT = new SipMessageLimits(65536, 256, 16384, Duration.ofSeconds(30),
            1024);

    /** Limits with {@link #DEFAULT_MAX_MESSAGE_TRANSACTIONS} MESSAGE transactions. */
    public SipMessageLimits(int maxMessageBytes, int maxHeaders, int maxHeaderBytes, Duration messageTimeout,
                            int maxTcpConnections) {
        this(maxMessageBytes, maxHeaders, maxHeaderBytes, messageTimeout, maxTcpConnections,
                DEFAULT_MAX_MESSAGE_TRANSACTIONS);
    }

    /** The smallest message limit accepted: RFC 3261 §18.1.1 has every element take 1300 bytes and more. */
    public static final int MIN_MESSAGE_BYTES = 1500;

    public SipMessageLimits {
        Objects.requireNonNull(messageTimeout, "messageTimeout");
        if (maxMessageBytes < MIN_MESSAGE_BYTES) {
            throw new SipException("maxMessageBytes must be at least " + MIN_MESSAGE_BYTES + ": " + maxMessageBytes);
        }
        if (maxHeaders < 10) {
            throw new SipException("maxHeaders must be at least 10 (a request needs 6): " + maxHeaders);
        }
        if (maxHeaderBytes < 256 || maxHeaderBytes > maxMessageBytes) {
            throw new SipException("maxHeaderBytes must be 256 to maxMessageBytes: " + maxHeaderBytes);
        }
        if (messageTimeout.toMillis() < 10) {
            throw new SipException("messageTimeout must be at least 10 ms");
        }
        if (maxTcpConnections < 1) {
            throw new SipException("maxTcpConnections must be positive: " + maxTcpConnections);
        }
        if (maxMessageTransactions < 1) {
            throw new SipException("maxMessageTransactions must be positive: " + maxMessageTransactions);
        }
    }
}
