package org.isthmus.bench.load;

import java.util.Arrays;

/**
 * What arrived at the receiving end of one run, by sequence number 1..expected: the sender's
 * timestamp (from the body) and the arrival time, both wall-clock microseconds of this machine.
 * Duplicates (retransmissions) and numbers out of range are counted, not recorded twice.
 */
final class Deliveries {

    /** The text every load message body starts with: {@code isthmus-bench seq=N s=S us=U}. */
    static final String MARK = "isthmus-bench seq=";

    private final int expected;
    private final long notBeforeMicros;
    private final long[] sentMicros;
    private final long[] arrivedMicros;
    private int delivered;
    private int duplicates;
    private int strays;
    private int errors;

    /**
     * @param expected        messages the run sends, numbered 1..expected
     * @param notBeforeMicros when the run started: a message stamped earlier is a late one from a
     *                        previous run and counts as a stray
     */
    Deliveries(int expected, long notBeforeMicros) {
        this.expected = expected;
        this.notBeforeMicros = notBeforeMicros;
        this.sentMicros = new long[expected + 1];
        this.arrivedMicros = new long[expected + 1];
    }

    synchronized void record(long seq, long sent, long arrived) {
        if (seq < 1 || seq > expected || sent < notBeforeMicros) {
            strays++;
        } else if (arrivedMicros[(int) seq] != 0) {
            duplicates++;
        } else {
            sentMicros[(int) seq] = sent;
            arrivedMicros[(int) seq] = arrived;
            delivered++;
        }
    }

    /** A bounce (an error stanza or an error response) instead of a delivery. */
    synchronized void error() {
        errors++;
    }

    synchronized int delivered() {
        return delivered;
    }

    int expected() {
        return expected;
    }

    /**
     * Parses a body's {@code seq=N s=S us=U} starting at {@code from} (just after {@link #MARK}),
     * where S and U may carry SIPp's ".000000", and records it; false when the text is malformed.
     */
    boolean recordMarked(CharSequence text, int from, long arrived) {
        long[] number = new long[1];
        int at = digits(text, from, number);
        if (at < 0) {
            return false;
        }
        long seq = number[0];
        at = expect(text, at, " s=");
        at = at < 0 ? -1 : digits(text, at, number);
        if (at < 0) {
            return false;
        }
        long seconds = number[0];
        at = expect(text, skipFraction(text, at), " us=");
        at = at < 0 ? -1 : digits(text, at, number);
        if (at < 0) {
            return false;
        }
        record(seq, seconds * 1_000_000 + number[0], arrived);
        return true;
    }

    private static int digits(CharSequence text, int from, long[] into) {
        long value = 0;
        int at = from;
        while (at < text.length() && Character.isDigit(text.charAt(at)) && at - from < 18) {
            value = value * 10 + (text.charAt(at) - '0');
            at++;
        }
        into[0] = value;
        return at == from ? -1 : at;
    }

    private static int skipFraction(CharSequence text, int at) {
        if (at >= 0 && at < text.length() && text.charAt(at) == '.') {
            at++;
            while (at < text.length() && Character.isDigit(text.charAt(at))) {
                at++;
            }
        }
        return at;
    }

    private static int expect(CharSequence text, int at, String literal) {
        if (at < 0 || at + literal.length() > text.length()) {
            return -1;
        }
        for (int i = 0; i < literal.length(); i++) {
            if (text.charAt(at + i) != literal.charAt(i)) {
                return -1;
            }
        }
        return at + literal.length();
    }

    /**
     * The figures of the run, for an offered rate; {@code gatewayCpuPer1000} is Isthmus's CPU per 1000
     * messages {total, of it JIT, of it GC}, NaN when not measured.
     */
    synchronized RunResult result(String path, double offeredRate, double[] gatewayCpuPer1000,
            double peerCpuMillisPer1000) {
        long[] latencies = new long[delivered];
        long firstSent = Long.MAX_VALUE;
        long lastArrived = Long.MIN_VALUE;
        int n = 0;
        for (int seq = 1; seq <= expected; seq++) {
            if (arrivedMicros[seq] != 0) {
                latencies[n++] = arrivedMicros[seq] - sentMicros[seq];
                firstSent = Math.min(firstSent, sentMicros[seq]);
                lastArrived = Math.max(lastArrived, arrivedMicros[seq]);
            }
        }
        Arrays.sort(latencies);
        double span = n == 0 ? 0 : Math.max(1, lastArrived - firstSent) / 1e6;
        return new RunResult(path, offeredRate, expected, delivered, expected - delivered, duplicates + strays, errors,
                n == 0 ? 0 : delivered / span,
                percentile(latencies, 0.50), percentile(latencies, 0.99), n == 0 ? 0 : latencies[n - 1],
                gatewayCpuPer1000[0], gatewayCpuPer1000[1], gatewayCpuPer1000[2], peerCpuMillisPer1000);
    }

    /** Nearest-rank percentile, in microseconds (0 when nothing arrived). */
    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
