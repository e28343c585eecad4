package org.isthmus.gateway.interop;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The outcome of every message of one direction of a {@link LoadRun}, by number: what its sender was
 * told (a success, an error, nothing) against how often it arrived, sorted into {@link Category}s, and
 * for the ones that did not end cleanly, which injected fault they were in flight at.
 */
public final class LoadLedger {

    /** What the sender was told. XMPP has no success answer: no error stanza is the success. */
    public enum Answer { SUCCESS, ERROR, NONE }

    /** Where one message ended. */
    public enum Category {
        /** Success (or no error, for XMPP) and arrived once. */
        DELIVERED,
        /** Arrived more than once. */
        DUPLICATED,
        /** An error back to the sender, and it did not arrive. */
        REFUSED,
        /** An error back to the sender, yet it arrived: the sender was told less than happened. */
        ERROR_BUT_DELIVERED,
        /** The sending client never wrote it: its stream stayed down (the client knows). */
        NOT_SENT,
        /** A SIP sender that got no final response at all (its transaction timed out), not arrived. */
        NO_ANSWER,
        /** A SIP sender that got no final response, yet it arrived. */
        NO_ANSWER_BUT_DELIVERED,
        /** Success (or no error) and never arrived: the loss the test is about. */
        LOST
    }

    /** How long before a fault a message still counts as in flight at it: the error window and a margin. */
    static final long IN_FLIGHT_MICROS = LoadRun.ERROR_WINDOW.toNanos() / 1000 + 1_000_000;
    /**
     * How long before a fault a message may still be retransmitted by its SIP sender, so that a peer that
     * restarts without its transaction state takes it for a new one: a non-INVITE client transaction lasts
     * up to Timer F = 64*T1 = 32 s (RFC 3261 §17.1.2.2), and a margin.
     */
    static final long RETRANSMITTED_MICROS = 34_000_000;

    private final String direction;
    private final int count;
    private final List<LoadRun.Fault> faults;
    private final Map<Category, Integer> counts = new TreeMap<>();
    /** Lost and duplicated messages by the fault they were in flight at ("none" when no fault). */
    private final Map<String, Integer> lostAt = new TreeMap<>();
    private final Map<String, Integer> duplicatedAt = new TreeMap<>();
    private final Map<String, Integer> errors = new TreeMap<>();
    private final List<String> samples = new ArrayList<>();
    private List<String> others = List.of();

    LoadLedger(String direction, int count, List<LoadRun.Fault> faults) {
        this.direction = direction;
        this.count = count;
        this.faults = faults;
        for (Category c : Category.values()) {
            counts.put(c, 0);
        }
    }

    /**
     * @param seq        the message's number
     * @param sent       whether the sender wrote it at all
     * @param answer     what the sender was told
     * @param detail     the status or condition of the answer
     * @param arrivals   how often it arrived
     * @param sentMicros when it was sent (wall-clock µs)
     */
    void record(int seq, boolean sent, Answer answer, String detail, int arrivals, long sentMicros) {
        Category category;
        if (!sent) {
            category = arrivals > 0 ? Category.DUPLICATED : Category.NOT_SENT;
        } else if (arrivals > 1) {
            category = Category.DUPLICATED;
        } else if (answer == Answer.ERROR) {
            category = arrivals == 1 ? Category.ERROR_BUT_DELIVERED : Category.REFUSED;
        } else if (answer == Answer.NONE && direction.startsWith("SIP")) {
            category = arrivals == 1 ? Category.NO_ANSWER_BUT_DELIVERED : Category.NO_ANSWER;
        } else {
            category = arrivals == 1 ? Category.DELIVERED : Category.LOST;
        }
        counts.merge(category, 1, Integer::sum);
        if (answer == Answer.ERROR) {
            errors.merge(detail, 1, Integer::sum);
        }
        if (category == Category.LOST || category == Category.DUPLICATED || category == Category.NO_ANSWER) {
            String fault = inFlightAt(sentMicros, category == Category.DUPLICATED ? RETRANSMITTED_MICROS : IN_FLIGHT_MICROS)
                    .map(LoadRun.Fault::kind).orElse("no fault");
            (category == Category.DUPLICATED ? duplicatedAt : lostAt).merge(
                    (category == Category.NO_ANSWER ? "no answer, " : "") + fault, 1, Integer::sum);
            if (samples.size() < 20) {
                samples.add(category + " #" + seq + " sent at +" + String.format(Locale.ROOT, "%.3f",
                        (sentMicros - (faults.isEmpty() ? sentMicros : faults.get(0).fromMicros())) / 1e6)
                        + " s from the first fault, answer " + answer + " " + detail + ", arrived " + arrivals + "x");
            }
        }
    }

    /** The fault a message sent at {@code sentMicros} was in flight at, at most {@code before} µs before it began. */
    Optional<LoadRun.Fault> inFlightAt(long sentMicros, long before) {
        return faults.stream().filter(f -> sentMicros >= f.fromMicros() - before
                && sentMicros <= f.untilMicros()).findFirst();
    }

    void noteOthers(List<String> lines) {
        this.others = List.copyOf(lines);
    }

    public int count(Category category) {
        return counts.get(category);
    }

    /** Messages lost (or unanswered, for SIP) with no fault in flight to explain them. */
    public int unexplainedLosses() {
        return lostAt.entrySet().stream().filter(e -> e.getKey().endsWith("no fault")).mapToInt(Map.Entry::getValue).sum();
    }

    /** Lost messages in flight at a fault whose kind contains {@code kind}. */
    public int lostAt(String kind) {
        return lostAt.entrySet().stream().filter(e -> e.getKey().contains(kind) && !e.getKey().startsWith("no answer"))
                .mapToInt(Map.Entry::getValue).sum();
    }

    /** Duplicates with no fault in flight to explain them. */
    public int unexplainedDuplicates() {
        return duplicatedAt.getOrDefault("no fault", 0);
    }

    /** Every message of the run ended in exactly one category. */
    public int total() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The counts, per category and per fault, as lines for the test's output. */
    public String report() {
        StringBuilder out = new StringBuilder(direction).append(": ").append(count).append(" messages\n");
        counts.forEach((c, n) -> out.append(String.format(Locale.ROOT, "  %-24s %6d%n", c, n)));
        if (!errors.isEmpty()) {
            out.append("  errors told to the sender: ").append(errors).append('\n');
        }
        if (!lostAt.isEmpty()) {
            out.append("  lost/unanswered, by the fault they were in flight at: ").append(lostAt).append('\n');
        }
        if (!duplicatedAt.isEmpty()) {
            out.append("  duplicated, by the fault they were in flight at: ").append(duplicatedAt).append('\n');
        }
        if (!others.isEmpty()) {
            out.append("  other MESSAGEs at the receiver: ").append(others.size()).append(", e.g. ")
                    .append(others.get(0)).append('\n');
        }
        samples.forEach(s -> out.append("    ").append(s).append('\n'));
        return out.toString();
    }
}
