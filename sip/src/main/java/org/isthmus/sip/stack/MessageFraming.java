package org.isthmus.sip.stack;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import org.isthmus.sip.SipMessageLimits;

/**
 * Follows the framing of SIP messages (RFC 3261 §7: start line, header fields, empty line, body of
 * Content-Length bytes, §18.3) in raw bytes, before JAIN-SIP parses them, and finds the first byte that
 * takes a message past a {@link SipMessageLimits} bound: JAIN-SIP reads a TCP message whole and parses
 * header lists in time that grows faster than their length (10,000 header fields in one datagram kept
 * it busy for seconds here), and over TCP it closes the connection without an answer.
 *
 * <p>What it refuses, with what answer: a start line longer than {@code maxHeaderBytes} 414 (§21.4.12);
 * a header field longer than {@code maxHeaderBytes}, more than {@code maxHeaders} fields, or a header
 * section past {@code maxMessageBytes} 513 Message Too Large (§21.5.7); on a stream, a Content-Length past
 * {@code maxMessageBytes} 413 Request Entity Too Large (§21.4.11). The answer is built from the request's
 * own Via, From, To, Call-ID and CSeq (§8.2.6.2), kept as they go by; a request that has not shown them
 * all by then, a response, and an ACK get no answer (§17.2.1 has no response to an ACK).
 *
 * <p>One instance per connection or datagram; not thread-safe.
 */
final class MessageFraming {

    /** The most bytes of one header field kept to build an answer; longer ones are not answered with. */
    private static final int CAPTURE_BYTES = 2048;
    /** The most Via fields kept; a request with more is not answered. */
    private static final int MAX_VIAS = 32;

    private enum State { IDLE, HEAD, BODY }

    /** The status a message was refused with (RFC 3261 §21), and why, for the Warning and the log. */
    record Rejection(int status, String why) {
    }

    private final SipMessageLimits limits;
    private final boolean stream;
    /** Whether the fields an answer needs are kept; without, only the bounds are followed. */
    private final boolean capture;
    private State state = State.IDLE;
    private boolean startLine;
    private boolean continuation;
    private int lineBytes;
    private int fieldBytes;
    private int headers;
    private int headBytes;
    private long bodyLeft;
    private long messageStartNanos;
    private final byte[] line;
    /** The last byte of the current line, for its CR when the line is not kept. */
    private byte lastByte;
    private boolean lineCaptured;
    /** The field the last captured line started, for folded lines; null when not kept. */
    private String capturing;
    private String requestLine = "";
    private final List<StringBuilder> vias = new ArrayList<>();
    private StringBuilder from;
    private StringBuilder to;
    private StringBuilder callId;
    private StringBuilder cseq;
    private long contentLength = -1;
    private boolean incomplete;
    private Rejection rejection;

    /**
     * @param stream true for TCP (a Content-Length frames the body), false for one UDP datagram (its end
     *               ends the message, §18.3)
     */
    MessageFraming(SipMessageLimits limits, boolean stream) {
        this(limits, stream, true);
    }

    /**
     * @param capture false to follow only the bounds, keeping no field: the same refusals at the same
     *                bytes, no {@link #response()} (a datagram's first look, which costs no copy of its
     *                lines; a refused datagram is read again with capture on for the answer); a stream
     *                always captures, as its Content-Length frames the next message
     */
    MessageFraming(SipMessageLimits limits, boolean stream, boolean capture) {
        if (stream && !capture) {
            throw new IllegalArgumentException("a stream's framing needs its Content-Length captured");
        }
        this.limits = limits;
        this.stream = stream;
        this.capture = capture;
        this.line = capture ? new byte[CAPTURE_BYTES] : null;
    }

    /**
     * Reads bytes {@code from} to {@code to}. On a stream, stops at the byte that makes a message refused
     * and returns its index; in a datagram, reads on to the end for the fields the answer needs and
     * returns the index of the first refused byte. Returns -1 when nothing is refused.
     */
    int scan(byte[] bytes, int from, int to) {
        int refusedAt = -1;
        for (int i = from; i < to; i++) {
            if (state == State.BODY) {
                int take = (int) Math.min(bodyLeft, to - i);
                bodyLeft -= take;
                i += take - 1;
                if (bodyLeft == 0) {
                    state = State.IDLE;
                }
                continue;
            }
            byte b = bytes[i];
            if (state == State.IDLE) {
                if (b == '\r' || b == '\n') {
                    continue; // RFC 5626 §3.5.1 keepalives and stray line ends between messages
                }
                begin();
            }
            boolean refusedNow = head(b);
            if (refusedNow && refusedAt < 0) {
                refusedAt = i;
                if (stream) {
                    return i;
                }
            }
        }
        return refusedAt;
    }

    /** Whether a message has begun and not yet ended. */
    boolean inMessage() {
        return state != State.IDLE;
    }

    /** Whether the start line or header section of a message is being read. */
    boolean inHead() {
        return state == State.HEAD;
    }

    /** The bytes of the body still to come; 0 outside a body. */
    long bodyLeft() {
        return state == State.BODY ? bodyLeft : 0;
    }

    /** {@link System#nanoTime()} at the first byte of the current message. */
    long messageStartNanos() {
        return messageStartNanos;
    }

    /** Why the message was refused, once {@link #scan} found it. */
    Optional<Rejection> rejection() {
        return Optional.ofNullable(rejection);
    }

    private void begin() {
        state = State.HEAD;
        messageStartNanos = System.nanoTime();
        startLine = true;
        continuation = false;
        lineBytes = 0;
        fieldBytes = 0;
        headers = 0;
        headBytes = 0;
        lineCaptured = true;
        capturing = null;
        requestLine = "";
        vias.clear();
        from = null;
        to = null;
        callId = null;
        cseq = null;
        contentLength = -1;
        incomplete = false;
        rejection = null;
    }

    /** One byte of the start line or header section; true when it is the one refused. */
    private boolean head(byte b) {
        boolean refusedBefore = rejection != null;
        if (b == '\n') {
            endLine();
            return !refusedBefore && rejection != null;
        }
        if (lineBytes == 0 && !startLine) {
            continuation = b == ' ' || b == '\t';
        }
        if (lineBytes < CAPTURE_BYTES) {
            if (capture) {
                line[lineBytes] = b;
            }
            lastByte = b;
        } else {
            lineCaptured = false;
        }
        lineBytes++;
        headBytes++;
        if (refusedBefore) {
            return false;
        }
        if (startLine && lineBytes > limits.maxHeaderBytes()) {
            refuse(414, "start line longer than " + limits.maxHeaderBytes() + " bytes");
        } else if (!startLine && (continuation ? fieldBytes : 0) + lineBytes > limits.maxHeaderBytes()) {
            refuse(513, "header field longer than " + limits.maxHeaderBytes() + " bytes");
        } else if (headBytes > limits.maxMessageBytes()) {
            refuse(513, "header section larger than " + limits.maxMessageBytes() + " bytes");
        }
        return rejection != null;
    }

    private void endLine() {
        int length = lineBytes > 0 && lineBytes <= CAPTURE_BYTES && lastByte == '\r' ? lineBytes - 1 : lineBytes;
        boolean captured = lineCaptured;
        lineBytes = 0;
        lineCaptured = true;
        headBytes++;
        if (startLine) {
            startLine = false;
            if (!capture) {
                return;
            }
            requestLine = new String(line, 0, Math.min(length, CAPTURE_BYTES), StandardCharsets.UTF_8);
            return;
        }
        if (length == 0) {
            endHead();
            return;
        }
        if (continuation) {
            fieldBytes += length;
            if (!capture) {
                return;
            }
            StringBuilder field = field(capturing);
            if (field != null && captured && field.length() + length <= CAPTURE_BYTES) {
                field.append("\r\n").append(new String(line, 0, length, StandardCharsets.UTF_8));
            } else if (field != null) {
                incomplete = true;
            }
            return;
        }
        fieldBytes = length;
        headers++;
        if (rejection == null && headers > limits.maxHeaders()) {
            refuse(513, "more than " + limits.maxHeaders() + " header fields");
        }
        capturing = null;
        if (!captured || !capture) {
            return;
        }
        String text = new String(line, 0, length, StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        if (colon <= 0) {
            return;
        }
        String name = text.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        capture(name, text);
    }

    private void capture(String name, String text) {
        StringBuilder field = new StringBuilder(text);
        switch (name) {
            case "via", "v" -> {
                if (vias.size() < MAX_VIAS) {
                    vias.add(field);
                } else {
                    incomplete = true;
                    return;
                }
            }
            case "from", "f" -> from = field;
            case "to", "t" -> to = field;
            case "call-id", "i" -> callId = field;
            case "cseq" -> cseq = field;
            case "content-length", "l" -> {
                contentLength = parseLength(text.substring(text.indexOf(':') + 1).strip());
                return;
            }
            default -> {
                return;
            }
        }
        capturing = name;
    }

    private StringBuilder field(String name) {
        if (name == null) {
            return null;
        }
        return switch (name) {
            case "via", "v" -> vias.isEmpty() ? null : vias.get(vias.size() - 1);
            case "from", "f" -> from;
            case "to", "t" -> to;
            case "call-id", "i" -> callId;
            case "cseq" -> cseq;
            default -> null;
        };
    }

    private void endHead() {
        if (stream && rejection == null && contentLength > limits.maxMessageBytes()) {
            refuse(413, "Content-Length " + contentLength + " is more than " + limits.maxMessageBytes() + " bytes");
            return;
        }
        // A datagram's body is the rest of the datagram (§18.3); only a stream needs Content-Length.
        bodyLeft = stream ? Math.max(0, contentLength) : Long.MAX_VALUE;
        state = bodyLeft > 0 ? State.BODY : State.IDLE;
    }

    private void refuse(int status, String why) {
        rejection = new Rejection(status, why);
    }

    /** The answer to the refused request (RFC 3261 §8.2.6.2), if its fields were all seen and kept. */
    Optional<byte[]> response() {
        if (rejection == null || incomplete || vias.isEmpty() || from == null || to == null || callId == null
                || cseq == null || requestLine.isEmpty() || requestLine.startsWith("SIP/")
                || requestLine.startsWith("ACK ")) {
            return Optional.empty();
        }
        StringBuilder sb = new StringBuilder(512);
        sb.append("SIP/2.0 ").append(rejection.status()).append(' ').append(reasonPhrase(rejection.status()))
                .append("\r\n");
        for (StringBuilder via : vias) {
            sb.append(via).append("\r\n");
        }
        sb.append(from).append("\r\n").append(to);
        if (!to.toString().toLowerCase(Locale.ROOT).contains(";tag=")) {
            sb.append(";tag=").append(Long.toHexString(ThreadLocalRandom.current().nextLong()));
        }
        sb.append("\r\n").append(callId).append("\r\n").append(cseq).append("\r\n")
                .append("Warning: 399 isthmus \"").append(rejection.why()).append("\"\r\n")
                .append("Content-Length: 0\r\n\r\n");
        return Optional.of(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String reasonPhrase(int status) {
        return switch (status) {
            case 413 -> "Request Entity Too Large";
            case 414 -> "Request-URI Too Long";
            default -> "Message Too Large";
        };
    }

    private static long parseLength(String value) {
        if (value.isEmpty() || value.length() > 18) {
            return value.isEmpty() ? -1 : Long.MAX_VALUE;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(value);
    }
}
