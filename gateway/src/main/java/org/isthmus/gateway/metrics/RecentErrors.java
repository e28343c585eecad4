package org.isthmus.gateway.metrics;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.isthmus.gateway.metrics.GatewayMeters.Direction;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * The last errors of the gateway, for a person reading the status page: each message that was refused
 * or failed, with its correlation keys (Call-ID, stanza id), the peer, and what the sender was told
 * (the RFC 6120 §8.3.3 condition, the RFC 3261 §21 status, or both as RFC 7247 §7 maps them).
 *
 * <p>Bounded: the newest {@code capacity} errors are kept, older ones are forgotten; the count of
 * every error since start is kept too. Texts are cut to {@value #MAX_TEXT_CHARS} characters, and a
 * message body is never part of an entry.
 */
public final class RecentErrors {

    /** How many errors are kept unless told otherwise. */
    public static final int DEFAULT_CAPACITY = 100;
    /** The longest reason text kept; the rest is cut. */
    static final int MAX_TEXT_CHARS = 200;

    /**
     * One error.
     *
     * @param id        its number, counting from 1 since start; a person can name it
     * @param time      when it happened
     * @param direction which way the message was crossing
     * @param callId    the SIP Call-ID, if there was one
     * @param stanzaId  the XMPP stanza id, if there was one
     * @param peer      who sent the message that failed
     * @param condition the XMPP error condition the sender got or the XMPP side sent, if any
     * @param status    the SIP status the sender got or the SIP side sent, if any
     * @param text      why, in words (never the message's body)
     */
    public record Entry(long id, Instant time, Direction direction, Optional<String> callId, Optional<String> stanzaId,
                        String peer, Optional<StanzaErrorCondition> condition, Optional<Integer> status, String text) {
        public Entry {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(direction, "direction");
            Objects.requireNonNull(callId, "callId");
            Objects.requireNonNull(stanzaId, "stanzaId");
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(condition, "condition");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(text, "text");
        }

        /** The direction as the meters tag it: {@code sip_to_xmpp} or {@code xmpp_to_sip}. */
        public String directionTag() {
            return direction.tag();
        }
    }

    private final int capacity;
    private final Clock clock;
    private final ArrayDeque<Entry> entries;
    private long count;

    /** Keeps the last {@link #DEFAULT_CAPACITY} errors. */
    public RecentErrors() {
        this(DEFAULT_CAPACITY, Clock.systemUTC());
    }

    /**
     * @param capacity how many errors are kept, at least 1
     * @param clock    the time of each entry
     */
    public RecentErrors(int capacity, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.entries = new ArrayDeque<>(capacity);
    }

    /**
     * Records an error and returns its entry.
     *
     * @see Entry
     */
    public Entry record(Direction direction, Optional<String> callId, Optional<String> stanzaId, String peer,
                        Optional<StanzaErrorCondition> condition, Optional<Integer> status, String text) {
        String cut = text.length() > MAX_TEXT_CHARS ? text.substring(0, MAX_TEXT_CHARS) + "…" : text;
        synchronized (entries) {
            Entry e = new Entry(++count, clock.instant(), direction, callId, stanzaId, peer, condition, status, cut);
            if (entries.size() == capacity) {
                entries.removeFirst();
            }
            entries.addLast(e);
            return e;
        }
    }

    /** The errors kept, the newest first. */
    public List<Entry> newestFirst() {
        List<Entry> out;
        synchronized (entries) {
            out = new ArrayList<>(entries);
        }
        Collections.reverse(out);
        return List.copyOf(out);
    }

    /** How many errors there were since start, including those no longer kept. */
    public long count() {
        synchronized (entries) {
            return count;
        }
    }

    /** How many errors are kept at most. */
    public int capacity() {
        return capacity;
    }
}
