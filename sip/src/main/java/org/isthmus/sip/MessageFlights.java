package org.isthmus.sip;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.sip.message.Response;

import org.isthmus.mapping.error.SipStatus;
import org.isthmus.sip.stack.DatagramSender;

/**
 * The non-INVITE client transactions (RFC 3261 §17.1.2) of the MESSAGE requests the edge sends over UDP,
 * kept here instead of in JAIN-SIP: each request is encoded once, sent from the listening socket and
 * retransmitted as the same bytes; responses are matched to it by the top Via's branch (the caller checks
 * the CSeq method, §17.1.3).
 *
 * <p>The state machine of §17.1.2.2 (Figure 6): in Trying, Timer E retransmits after T1, then doubling up
 * to T2; a provisional response moves the transaction to Proceeding, where it retransmits every T2; Timer F
 * (64*T1 from the first send) ends it with 408 (§8.1.3.1); the first final response is reported and the
 * transaction stays Completed for Timer K (T4) to absorb the response's retransmissions, which are never
 * reported again. A send that fails ends it with 503 (§8.1.3.1, a transport error).
 *
 * <p>Timers: every transaction in one stage of Timer E has the same interval, so each stage is a FIFO
 * queue in due order, as is Timer K's; the few transactions whose next retransmission would pass Timer F
 * wait in one small priority queue. A single sweep, run on the edge's timer thread at the earliest due
 * time (at most every {@link #TICK_MILLIS} ms), serves them all: no task per request, and a transaction
 * answered before its first retransmission costs one queue entry that the sweep drops.
 */
final class MessageFlights {

    /** §17.1.2.2: the cap of Timer E's interval. */
    static final Duration T2 = Duration.ofSeconds(4);

    /** §17.1.2.2: Timer K for an unreliable transport, T4. */
    static final Duration T4 = Duration.ofSeconds(5);

    /** The granularity of every timer here: two sweeps are at least this far apart. */
    static final long TICK_MILLIS = 10;

    private static final long TICK = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);

    private static final int TRYING = 0;
    private static final int PROCEEDING = 1;
    private static final int ENDED = 2;

    private final DatagramSender wire;
    private final ScheduledExecutorService scheduler;
    /** Timer E's interval in each stage, nanoseconds: T1, 2*T1, ... up to T2, the last stage repeating. */
    private final long[] intervals;
    private final long timerF;
    private final long timerK;
    /** Transactions by branch: a live one, or {@link #ABSORBING} for Timer K. */
    private final Map<String, Flight> byBranch = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    /** Guarded by {@link #lock}: one FIFO per stage of Timer E, in due order. */
    private final ArrayDeque<Entry>[] stages;
    /** Guarded by {@link #lock}: Timer F of the transactions whose next retransmission would come after it. */
    private final PriorityQueue<Entry> deadlines = new PriorityQueue<>(Comparator.comparingLong(Entry::due));
    /** Guarded by {@link #lock}: Timer K, in due order. */
    private final ArrayDeque<Lingering> lingering = new ArrayDeque<>();
    /** Guarded by {@link #lock}: when the next sweep runs, {@code Long.MAX_VALUE} for none. */
    private long armedAt = Long.MAX_VALUE;
    private ScheduledFuture<?> armed;
    private volatile boolean closed;

    /** A Completed transaction's place in {@link #byBranch}: its branch is known, its request is gone. */
    private static final Flight ABSORBING = new Flight("", new byte[0], new InetSocketAddress(0)) {
        @Override
        void ended(Response response, SipStatus status, String why) {
            // never started
        }
    };

    /**
     * @param wire      sends from the listening socket
     * @param scheduler the edge's timer thread, which runs the sweeps
     * @param t1        T1, the round-trip estimate (§17.1.2.2; 500 ms unless tests shorten it)
     * @param t4        T4, Timer K ({@link #T4}; tests shorten it)
     */
    @SuppressWarnings("unchecked")
    MessageFlights(DatagramSender wire, ScheduledExecutorService scheduler, Duration t1, Duration t4) {
        this.wire = wire;
        this.scheduler = scheduler;
        long first = t1.toNanos();
        long cap = T2.toNanos();
        List<Long> steps = new ArrayList<>();
        for (long interval = Math.min(first, cap); ; interval = Math.min(interval * 2, cap)) {
            steps.add(interval);
            if (interval == cap) {
                break;
            }
        }
        this.intervals = steps.stream().mapToLong(Long::longValue).toArray();
        this.stages = new ArrayDeque[intervals.length];
        for (int i = 0; i < stages.length; i++) {
            stages[i] = new ArrayDeque<>();
        }
        this.timerF = 64 * first;
        this.timerK = t4.toNanos();
    }

    /**
     * Starts a transaction: keeps it under its branch, then sends its datagram. Its end is reported once
     * through {@link Flight#ended}, possibly before this returns (a send that fails).
     */
    void start(Flight flight) {
        if (closed) {
            flight.ended(null, new SipStatus(503, "SIP edge closed"), "edge closed");
            return;
        }
        byBranch.put(flight.branch, flight);
        synchronized (lock) {
            long now = System.nanoTime();
            flight.deadline = now + timerF;
            schedule(flight, 0, now);
        }
        send(flight, flight.datagram);
    }

    /**
     * A response whose top Via carries {@code branch} and whose CSeq method is MESSAGE: reported if it is
     * the first final response of a live transaction, absorbed if the transaction has one already.
     *
     * @return whether the branch is one of these transactions (live or in Timer K)
     */
    boolean response(String branch, Response response) {
        Flight flight = branch == null ? null : byBranch.get(branch);
        if (flight == null) {
            return false;
        }
        if (flight == ABSORBING) {
            // §17.1.2.2: in Completed, retransmitted responses are absorbed.
            return true;
        }
        int code = response.getStatusCode();
        synchronized (lock) {
            if (flight.state == ENDED) {
                // Ended a moment ago, on another thread.
                return true;
            }
            long now = System.nanoTime();
            if (code < 200) {
                if (flight.state == TRYING) {
                    // §17.1.2.2: Proceeding retransmits every T2.
                    flight.state = PROCEEDING;
                    flight.generation++;
                    schedule(flight, stages.length - 1, now);
                }
                return true;
            }
            end(flight);
            byBranch.put(branch, ABSORBING);
            lingering.addLast(new Lingering(now + timerK, branch));
            if (lingering.size() == 1) {
                arm(now + timerK, now);
            }
        }
        flight.ended(response, new SipStatus(code, response.getReasonPhrase()), "response");
        return true;
    }

    /** Ends every live transaction with 503; later starts end at once the same way. */
    void closeAll() {
        closed = true;
        for (Flight flight : byBranch.values()) {
            if (flight != ABSORBING) {
                fail(flight, new SipStatus(503, "SIP edge closed"), "edge closed");
            }
        }
        synchronized (lock) {
            if (armed != null) {
                armed.cancel(false);
            }
        }
    }

    /** How many branches are kept (live transactions and those in Timer K), for tests. */
    int size() {
        return byBranch.size();
    }

    /** Under {@link #lock}: the next Timer E entry of {@code flight} in {@code stage}, or Timer F if sooner. */
    private void schedule(Flight flight, int stage, long now) {
        long due = now + intervals[stage];
        if (due >= flight.deadline) {
            deadlines.add(new Entry(flight.deadline, flight, flight.generation));
            arm(flight.deadline, now);
            return;
        }
        ArrayDeque<Entry> queue = stages[stage];
        queue.addLast(new Entry(due, flight, flight.generation));
        if (queue.size() == 1) {
            arm(due, now);
        }
    }

    /** Under {@link #lock}: makes sure a sweep runs by {@code due} (not sooner than a tick from now). */
    private void arm(long due, long now) {
        long at = Math.max(due, now + TICK);
        if (at >= armedAt) {
            return;
        }
        if (armed != null) {
            armed.cancel(false);
        }
        armedAt = at;
        try {
            armed = scheduler.schedule(this::sweep, at - now, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The edge is closing: closeAll ends what is left.
            armed = null;
        }
    }

    /** Runs every timer that is due, then arms the next sweep. */
    private void sweep() {
        List<Flight> resend = new ArrayList<>();
        List<byte[]> datagrams = new ArrayList<>();
        List<Flight> expired = new ArrayList<>();
        synchronized (lock) {
            armedAt = Long.MAX_VALUE;
            armed = null;
            long now = System.nanoTime();
            // What falls due within the next tick runs now rather than a tick late.
            long horizon = now + TICK;
            for (int i = 0; i < stages.length; i++) {
                ArrayDeque<Entry> queue = stages[i];
                int next = Math.min(i + 1, stages.length - 1);
                Entry e;
                while ((e = queue.peekFirst()) != null && e.due <= horizon) {
                    queue.pollFirst();
                    Flight flight = e.flight;
                    if (flight.generation != e.generation || flight.state == ENDED) {
                        continue;
                    }
                    // Timer E (§17.1.2.2): retransmit, then wait twice as long, at most T2.
                    flight.retransmissions++;
                    resend.add(flight);
                    datagrams.add(flight.datagram);
                    schedule(flight, next, now);
                }
            }
            Entry e;
            while ((e = deadlines.peek()) != null && e.due <= horizon) {
                deadlines.poll();
                Flight flight = e.flight;
                if (flight.generation != e.generation || flight.state == ENDED) {
                    continue;
                }
                // Timer F: the transaction ends without a final response.
                end(flight);
                byBranch.remove(flight.branch, flight);
                expired.add(flight);
            }
            Lingering l;
            while ((l = lingering.peekFirst()) != null && l.due <= horizon) {
                lingering.pollFirst();
                byBranch.remove(l.branch, ABSORBING);
            }
            long soonest = Long.MAX_VALUE;
            for (ArrayDeque<Entry> queue : stages) {
                if (!queue.isEmpty()) {
                    soonest = Math.min(soonest, queue.peekFirst().due);
                }
            }
            if (!deadlines.isEmpty()) {
                soonest = Math.min(soonest, deadlines.peek().due);
            }
            if (!lingering.isEmpty()) {
                soonest = Math.min(soonest, lingering.peekFirst().due);
            }
            if (soonest != Long.MAX_VALUE && !closed) {
                arm(soonest, now);
            }
        }
        for (int i = 0; i < resend.size(); i++) {
            send(resend.get(i), datagrams.get(i));
        }
        for (Flight flight : expired) {
            flight.ended(null, new SipStatus(408, "Request Timeout"), "Timer F");
        }
    }

    /** Under {@link #lock}: the transaction has its outcome; its stale timer entries are skipped. */
    private static void end(Flight flight) {
        flight.state = ENDED;
        flight.generation++;
    }

    private void send(Flight flight, byte[] datagram) {
        try {
            wire.send(datagram, flight.to);
        } catch (IOException | RuntimeException e) {
            fail(flight, new SipStatus(503, "Service Unavailable"), "send failed: " + e.getMessage());
        }
    }

    private void fail(Flight flight, SipStatus status, String why) {
        synchronized (lock) {
            if (flight.state == ENDED) {
                return;
            }
            end(flight);
        }
        byBranch.remove(flight.branch, flight);
        flight.ended(null, status, why);
    }

    /** A Timer E or Timer F entry; stale once the transaction's generation has moved on. */
    private record Entry(long due, Flight flight, int generation) {
    }

    /** A Timer K entry: the branch whose response retransmissions are absorbed until {@code due}. */
    private record Lingering(long due, String branch) {
    }

    /**
     * One request and its transaction: the encoded datagram, where it goes, and what to do with its end.
     * The state fields are the {@link MessageFlights}' to change, under its lock.
     */
    abstract static class Flight {
        final String branch;
        final byte[] datagram;
        final InetSocketAddress to;
        private long deadline;
        private int state = TRYING;
        private int generation;
        private int retransmissions;

        Flight(String branch, byte[] datagram, InetSocketAddress to) {
            this.branch = branch;
            this.datagram = datagram;
            this.to = to;
        }

        /**
         * The end of the transaction, reported once: the first final response, or no response and 408
         * (Timer F) or 503 (the send failed, or the edge is closing). Runs on the thread that saw the end
         * (a UDP receiver, the timer, the sender) and must not block.
         */
        abstract void ended(Response response, SipStatus status, String why);

        /** How many times the datagram was sent again, for tests and logs. */
        final int retransmissions() {
            return retransmissions;
        }
    }
}
