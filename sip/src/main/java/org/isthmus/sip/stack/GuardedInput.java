package org.isthmus.sip.stack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.sip.SipMessageLimits;

/**
 * The bytes of one connection, ended at the first message that breaks a bound. The start line and
 * header section of each message are held back until its empty line: JAIN-SIP ends a stream that
 * stops mid-message with an empty line of its own and parses what it has, so a refused or cut-off
 * message must not have reached it in part. Bodies and the line ends between messages pass at once.
 * Used on every accepted TCP ({@link GuardedServerSocket}) and TLS ({@link GuardedSslServerSocket})
 * connection; for TLS it reads the decrypted bytes, and its answer goes out through the TLS socket.
 */
final class GuardedInput extends InputStream {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedInput.class);

    private static final int CHUNK_BYTES = 8192;

    private final InputStream in;
    private final String transport;
    private final Socket socket;
    private final MessageFraming framing;
    private final long timeoutNanos;
    private final long stallMillis;
    private final byte[] chunk = new byte[CHUNK_BYTES];
    /** The head of the message being read, up to maxMessageBytes (the framing refuses more). */
    private final ByteArrayOutputStream head = new ByteArrayOutputStream(1024);
    /** Bytes ready for JAIN-SIP, from {@code readyFrom} to {@code readyTo}. */
    private byte[] ready = new byte[CHUNK_BYTES];
    private int readyFrom;
    private int readyTo;
    private boolean ended;

    /**
     * @param stallMillis the longest pause allowed inside a message
     * @param transport   "tcp" or "tls", for the log
     */
    GuardedInput(InputStream in, Socket socket, SipMessageLimits limits, long stallMillis, String transport) {
        this.in = in;
        this.transport = transport;
        this.socket = socket;
        this.framing = new MessageFraming(limits, true);
        this.timeoutNanos = limits.messageTimeout().toNanos();
        this.stallMillis = stallMillis;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (readyFrom == readyTo) {
            if (ended) {
                return -1;
            }
            int n;
            try {
                n = readWithin();
            } catch (SocketTimeoutException stalled) {
                LOG.info("SIP {} from {}: closing, a message stalled or not complete within {} ms",
                        transport, socket.getRemoteSocketAddress(), TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
                ended = true;
                return -1;
            }
            if (n < 0) {
                ended = true;
                return -1;
            }
            take(n);
            if (!ended && framing.inMessage()
                    && System.nanoTime() - framing.messageStartNanos() > timeoutNanos) {
                LOG.info("SIP {} from {}: closing, a message not complete within {} ms",
                        transport, socket.getRemoteSocketAddress(), TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
                ended = true;
            }
        }
        int n = Math.min(length, readyTo - readyFrom);
        System.arraycopy(ready, readyFrom, buffer, offset, n);
        readyFrom += n;
        return n;
    }

    /**
     * Reads into {@link #chunk}. Inside a message the wait is bounded by the time left to the message
     * deadline and by the stall limit (JAIN-SIP's own read timeout cannot see a head held here);
     * between messages it is the socket's own.
     */
    private int readWithin() throws IOException {
        if (!framing.inMessage()) {
            return in.read(chunk, 0, chunk.length);
        }
        long left = timeoutNanos - (System.nanoTime() - framing.messageStartNanos());
        long wait = Math.min(TimeUnit.NANOSECONDS.toMillis(left), stallMillis);
        if (wait <= 0) {
            throw new SocketTimeoutException("message deadline passed");
        }
        int previous = socket.getSoTimeout();
        socket.setSoTimeout((int) Math.min(wait, Integer.MAX_VALUE));
        try {
            return in.read(chunk, 0, chunk.length);
        } finally {
            socket.setSoTimeout(previous);
        }
    }

    /** Frames {@code n} bytes of {@link #chunk}: heads are held, the rest made ready. */
    private void take(int n) {
        readyFrom = 0;
        readyTo = 0;
        int i = 0;
        while (i < n && !ended) {
            long body = framing.bodyLeft();
            if (body > 0) {
                int k = (int) Math.min(body, n - i);
                framing.scan(chunk, i, i + k);
                makeReady(chunk, i, k);
                i += k;
                continue;
            }
            boolean wasHead = framing.inHead();
            if (framing.scan(chunk, i, i + 1) >= 0) {
                refuse();
                ended = true;
                head.reset();
                return;
            }
            if (framing.inHead() || wasHead) {
                head.write(chunk[i]);
                if (!framing.inHead()) {
                    makeReady(head.toByteArray(), 0, head.size());
                    head.reset();
                }
            } else {
                makeReady(chunk, i, 1);
            }
            i++;
        }
        if (ended) {
            head.reset();
        }
    }

    private void makeReady(byte[] bytes, int from, int count) {
        if (readyTo + count > ready.length) {
            ready = Arrays.copyOf(ready, Math.max(ready.length * 2, readyTo + count));
        }
        System.arraycopy(bytes, from, ready, readyTo, count);
        readyTo += count;
    }

    private void refuse() {
        MessageFraming.Rejection rejection = framing.rejection().orElseThrow();
        Optional<byte[]> response = framing.response();
        LOG.info("SIP {} from {}: refused a message with {}: {}{}; closing", transport,
                socket.getRemoteSocketAddress(),
                rejection.status(), rejection.why(), response.isEmpty() ? " (not answerable)" : "");
        if (response.isEmpty()) {
            return;
        }
        try {
            OutputStream out = socket.getOutputStream();
            synchronized (out) {
                out.write(response.get());
                out.flush();
            }
        } catch (IOException e) {
            LOG.debug("SIP {} from {}: could not send the {}: {}", transport, socket.getRemoteSocketAddress(),
                    rejection.status(), e.toString());
        }
    }

    @Override
    public int available() {
        return readyTo - readyFrom;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
