package org.isthmus.sip;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import javax.sip.InvalidArgumentException;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.message.Request;
import javax.sip.message.Response;

import gov.nist.javax.sip.header.SIPHeader;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.sip.stack.DatagramSender;

/**
 * The edge's own non-INVITE server transactions for received MESSAGEs over UDP and TCP (RFC 3261 §17.2.2),
 * in place of JAIN-SIP's: a JAIN-SIP server transaction keeps the parsed request, the response and a
 * timer task for Timer J (64*T1 = 32 s over UDP), some 5 KB a MESSAGE, 64,000 of them at 2,000 MESSAGEs a
 * second. Here a transaction is one entry of a table, keyed as §17.2.3 matches requests (the top Via's
 * branch with the magic cookie, and its sent-by; the method is always MESSAGE): while Trying it holds
 * nothing, a retransmission is absorbed (no provisional is needed for a MESSAGE); once Completed it holds
 * the final response's bytes, sent again for a retransmission. Over UDP it leaves after Timer J, all
 * entries in the order they completed (they all live as long: a FIFO swept once a second); over TCP at
 * once (Timer J is 0 for reliable transports, §17.2.2).
 *
 * <p>A request without an RFC 3261 branch (§17.2.3's older matching), one over TLS (its peer certificate
 * belongs to JAIN-SIP's transaction), and every other method keep JAIN-SIP's transaction. The table is
 * bounded: past {@link SipMessageLimits#maxMessageTransactions()} a new MESSAGE is answered 503 with
 * Retry-After (§21.5.4), logged and counted ({@link #refused()}).
 */
final class MessageTransactions {

    private static final Logger LOG = LoggerFactory.getLogger(MessageTransactions.class);

    /** The magic cookie that starts an RFC 3261 branch (§8.1.1.7). */
    private static final String MAGIC_COOKIE = "z9hG4bK";

    /** The value of a Trying transaction: no response yet. */
    private static final byte[] TRYING = new byte[0];

    /** How long a full table waits before it warns again, not to log a line per refused MESSAGE. */
    private static final long WARN_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

    /** Seconds a refused sender is asked to wait (RFC 3261 §20.33): a few sweeps of the table. */
    static final int RETRY_AFTER_SECONDS = 5;

    /** The UDP listening socket; empty without a UDP listening point, when no request comes over UDP. */
    private final Optional<DatagramSender> udp;
    private final int capacity;
    private final long timerJNanos;
    private final ConcurrentHashMap<String, byte[]> table = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final Expiry expiry = new Expiry();
    private volatile long warned = System.nanoTime() - WARN_EVERY_NANOS;

    /**
     * @param capacity the most transactions held at once
     * @param t1       RFC 3261's T1; Timer J is 64 times it
     */
    MessageTransactions(Optional<DatagramSender> udp, int capacity, Duration t1) {
        this.udp = udp;
        this.capacity = capacity;
        this.timerJNanos = t1.toNanos() * 64;
    }

    /**
     * Matches a received MESSAGE (§17.2.3): empty when the edge keeps no transaction of its own for it
     * (no RFC 3261 branch, TLS, another transport) and JAIN-SIP's is used; else an exchange that is
     * {@link Exchange#isNew() new}, or one that tells the request was a retransmission (absorbed, or answered
     * again here) or refused because the table is full.
     */
    Optional<Exchange> receive(SIPRequest request) {
        Via via = request.getTopmostVia();
        String branch = via == null ? null : via.getBranch();
        String transport = via == null ? null : via.getTransport();
        if (branch == null || !branch.startsWith(MAGIC_COOKIE) || transport == null) {
            return Optional.empty();
        }
        boolean reliable;
        if (transport.equalsIgnoreCase("udp") && udp.isPresent()) {
            reliable = false;
        } else if (transport.equalsIgnoreCase("tcp") && request.getMessageChannel() instanceof MessageChannel) {
            reliable = true;
        } else {
            return Optional.empty();
        }
        String key = branch + ' ' + via.getHost() + ':' + via.getPort();
        byte[] held = table.get(key);
        if (held == null) {
            if (size.incrementAndGet() > capacity) {
                size.decrementAndGet();
                full();
                return Optional.of(new Exchange(request, null, reliable, Kind.REFUSED));
            }
            held = table.putIfAbsent(key, TRYING);
            if (held == null) {
                return Optional.of(new Exchange(request, key, reliable, Kind.NEW));
            }
            size.decrementAndGet();
        }
        if (held != TRYING && !reliable) {
            // Completed: the same final response again (§17.2.2).
            send(held, destination(request), key);
        }
        return Optional.of(new Exchange(request, null, reliable, Kind.RETRANSMISSION));
    }

    /** MESSAGEs refused because the table was full, since the edge started. */
    long refused() {
        return refused.get();
    }

    /** Transactions held now, Trying and Completed. */
    int size() {
        return size.get();
    }

    /** Ends the Completed transactions whose Timer J has fired; run about once a second. */
    void sweep() {
        expiry.expire(System.nanoTime());
    }

    private void full() {
        long count = refused.incrementAndGet();
        long now = System.nanoTime();
        long last = warned;
        if (now - last >= WARN_EVERY_NANOS) {
            warned = now;
            LOG.warn("SIP MESSAGE transactions at their limit of {}: new MESSAGEs answered 503 ({} so far)",
                    capacity, count);
        } else {
            LOG.debug("MESSAGE refused with 503: {} transactions held", capacity);
        }
    }

    private void completed(String key, byte[] response, boolean reliable) {
        if (reliable) {
            table.remove(key);
            size.decrementAndGet();
            return;
        }
        table.put(key, response);
        expiry.add(key, System.nanoTime() + timerJNanos);
    }

    private void forget(String key) {
        if (table.remove(key) != null) {
            size.decrementAndGet();
        }
    }

    /**
     * Where a response over UDP goes (RFC 3261 §18.2.2 with RFC 3581 §4): the address the request came from
     * (the stack puts it in the Via's {@code received} when the sent-by differs), the port in {@code rport}
     * if the client asked for it, else the sent-by port, else 5060.
     */
    private static InetSocketAddress destination(SIPRequest request) {
        Via via = request.getTopmostVia();
        int port = via.getRPort() > 0 ? via.getRPort() : via.getPort() > 0 ? via.getPort() : 5060;
        return new InetSocketAddress(request.getRemoteAddress(), port);
    }

    private void send(byte[] bytes, InetSocketAddress to, String key) {
        try {
            udp.orElseThrow().send(bytes, to);
        } catch (IOException e) {
            LOG.warn("could not send a response to {} for transaction {}: {}", to, LogText.safe(key),
                    LogText.safe(e.getMessage()));
        }
    }

    /** What a received MESSAGE turned out to be. */
    enum Kind {
        /** A new transaction, in Trying: the request goes on to be checked and handed to the gateway. */
        NEW,
        /** A retransmission, absorbed or answered again: nothing more to do. */
        RETRANSMISSION,
        /** The table is full: answer 503 with Retry-After, keep nothing. */
        REFUSED
    }

    /** One received MESSAGE and where its final response goes. */
    final class Exchange implements ServerReply {

        private final SIPRequest request;
        private final String key;
        private final boolean reliable;
        private final Kind kind;
        private volatile boolean answered;

        private Exchange(SIPRequest request, String key, boolean reliable, Kind kind) {
            this.request = request;
            this.key = key;
            this.reliable = reliable;
            this.kind = kind;
        }

        Kind kind() {
            return kind;
        }

        /** Whether a response built as bytes can go ({@link #sendEncoded}): over UDP. */
        boolean datagram() {
            return !reliable;
        }

        @Override
        public void send(Response response) throws SipException {
            if (!begin()) {
                throw new SipException("a final response was sent already");
            }
            if (reliable) {
                // Timer J is 0 over a reliable transport (§17.2.2): the entry leaves as the answer is decided,
                // before it is written, so no one who has read the answer still sees the transaction held.
                end(TRYING);
                try {
                    ((MessageChannel) request.getMessageChannel()).sendMessage((SIPResponse) response);
                } catch (IOException e) {
                    throw new SipException("could not send the response: " + e.getMessage(), e);
                }
                return;
            }
            byte[] bytes = ((SIPResponse) response).encodeAsBytes("UDP");
            end(bytes);
            MessageTransactions.this.send(bytes, destination(request), key);
        }

        /**
         * Sends a final response with no headers but those RFC 3261 §8.2.6.2 copies from the request (Via,
         * From, To with a tag, Call-ID, CSeq, and Timestamp §8.2.6.1), the Server header line and an empty
         * body: encoded here from the request's parsed headers, without building a response object. Over
         * UDP only ({@link #datagram()}).
         *
         * @param reason     the reason phrase, already safe for a status line
         * @param serverLine the Server header field with its CRLF
         */
        void sendEncoded(int code, String reason, String toTag, String serverLine) throws SipException {
            if (!begin()) {
                throw new SipException("a final response was sent already");
            }
            StringBuilder text = new StringBuilder(512);
            text.append("SIP/2.0 ").append(code).append(' ').append(reason).append("\r\n");
            request.getViaHeaders().encode(text);
            ((SIPHeader) request.getFromHeader()).encode(text);
            To to = (To) request.getToHeader();
            to.encode(text);
            if (to.getTag() == null) {
                // The field ends in CRLF: the tag goes before it.
                text.setLength(text.length() - 2);
                text.append(";tag=").append(toTag).append("\r\n");
            }
            ((SIPHeader) request.getCallIdHeader()).encode(text);
            ((SIPHeader) request.getCSeqHeader()).encode(text);
            if (request.getHeader("Timestamp") instanceof SIPHeader timestamp) {
                timestamp.encode(text);
            }
            text.append(serverLine).append("Content-Length: 0\r\n\r\n");
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            end(bytes);
            MessageTransactions.this.send(bytes, destination(request), key);
        }

        @Override
        public SipHop source(Request request) {
            return ServerReply.packetSource(request);
        }

        @Override
        public List<String> peerIdentities() {
            return List.of();
        }

        @Override
        public Optional<ServerTransaction> transaction() {
            return Optional.empty();
        }

        @Override
        public void abandon() {
            if (begin() && key != null) {
                forget(key);
            }
        }

        /** Whether this is the first final response; a transaction sends one (§17.2.2). */
        private synchronized boolean begin() {
            if (answered) {
                return false;
            }
            answered = true;
            return true;
        }

        private void end(byte[] response) {
            if (key != null) {
                completed(key, response, reliable);
            }
        }
    }

    /**
     * The Completed UDP transactions in the order they completed, with their Timer J deadlines: a ring of
     * keys and times, since every entry lives as long and the oldest always leaves first.
     */
    private final class Expiry {

        private String[] keys = new String[1024];
        private long[] deadlines = new long[1024];
        private int head;
        private int count;

        synchronized void add(String key, long deadline) {
            if (count == keys.length) {
                grow();
            }
            int tail = (head + count) & (keys.length - 1);
            keys[tail] = key;
            deadlines[tail] = deadline;
            count++;
        }

        void expire(long now) {
            while (true) {
                String key;
                synchronized (this) {
                    if (count == 0 || deadlines[head] - now > 0) {
                        return;
                    }
                    key = keys[head];
                    keys[head] = null;
                    head = (head + 1) & (keys.length - 1);
                    count--;
                }
                forget(key);
            }
        }

        private void grow() {
            String[] k = new String[keys.length * 2];
            long[] d = new long[keys.length * 2];
            for (int i = 0; i < count; i++) {
                int from = (head + i) & (keys.length - 1);
                k[i] = keys[from];
                d[i] = deadlines[from];
            }
            keys = k;
            deadlines = d;
            head = 0;
        }
    }
}
