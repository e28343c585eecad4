package org.isthmus.gateway.store;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Where a scan of a {@link RedisStore} stands between two pages: the hash slots not yet covered, the
 * master being scanned (SCAN runs per node, so a cluster is scanned one master after another), the
 * slots that master served when its SCAN began, the SCAN cursor on it, and the names found beyond the
 * last page's limit.
 *
 * <p>A slot is covered once one master served it from the start to the end of a complete SCAN of that
 * master: SCAN then returned every key of the slot that was there throughout. A slot that moved while
 * its master was being scanned (a resharding, a failover) stays uncovered and is scanned again on the
 * master that serves it next; a master that disappears mid-scan is dropped and its slots are scanned on
 * their new master. Topology changes therefore cost duplicates, which the store contract allows, and
 * never a missed entry. A single server is one master that serves every slot.
 *
 * <p>The text form (the page cursor) is one line {@code <master> <scan cursor> <its slots> <uncovered>},
 * with {@code -} for no master between two of them, then each pending name on a line of its own (names
 * hold no control characters). Slot sets are written as {@link SlotSet} ranges.
 */
final class RedisScan {

    private static final String NO_MASTER = "-";
    private static final String INITIAL_CURSOR = "0";

    private SlotSet uncovered;
    private String master;
    private SlotSet masterSlots;
    private String cursor;
    private final Deque<String> pending = new ArrayDeque<>();

    private RedisScan(SlotSet uncovered, String master, SlotSet masterSlots, String cursor) {
        this.uncovered = uncovered;
        this.master = master;
        this.masterSlots = masterSlots;
        this.cursor = cursor;
    }

    /** A scan that has covered nothing yet. */
    static RedisScan start() {
        return new RedisScan(SlotSet.ALL, NO_MASTER, SlotSet.NONE, INITIAL_CURSOR);
    }

    /** Reads a page cursor; throws {@link IllegalArgumentException} for text this store did not write. */
    static RedisScan parse(String text) {
        String[] lines = text.split("\n", -1);
        String[] fields = lines[0].split(" ", -1);
        try {
            if (fields.length != 4 || !isMasterId(fields[0]) || !isCursor(fields[1])) {
                throw new IllegalArgumentException("not four fields");
            }
            SlotSet masterSlots = SlotSet.parse(fields[2]);
            if (fields[0].equals(NO_MASTER) && !(masterSlots.isEmpty() && fields[1].equals(INITIAL_CURSOR))) {
                throw new IllegalArgumentException("a cursor without a master");
            }
            RedisScan scan = new RedisScan(SlotSet.parse(fields[3]), fields[0], masterSlots, fields[1]);
            for (int i = 1; i < lines.length; i++) {
                scan.pending.add(StoreKey.checkPrefix(lines[i]));
            }
            return scan;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a scan cursor of this store: "
                    + text.lines().findFirst().orElse(""), e);
        }
    }

    /** The master being scanned, or empty between two masters. */
    Optional<String> master() {
        return master.equals(NO_MASTER) ? Optional.empty() : Optional.of(master);
    }

    /** The SCAN cursor on {@link #master()}. */
    String cursor() {
        return cursor;
    }

    /** The slots no complete SCAN has covered yet. */
    SlotSet uncovered() {
        return uncovered;
    }

    /** True once every slot is covered and no master is being scanned (names may still be pending). */
    boolean scanned() {
        return uncovered.isEmpty() && master.equals(NO_MASTER);
    }

    /** Moves pending names into {@code names} until it holds {@code limit}. */
    void drainInto(List<String> names, int limit) {
        while (names.size() < limit && !pending.isEmpty()) {
            names.add(pending.poll());
        }
    }

    /** Begins a SCAN of {@code id}, which serves {@code slots} of the uncovered ones. */
    void begin(String id, SlotSet slots) {
        if (!isMasterId(id) || id.equals(NO_MASTER)) {
            throw new IllegalArgumentException("not a node id: " + id);
        }
        master = id;
        masterSlots = slots;
        cursor = INITIAL_CURSOR;
    }

    /** Records one SCAN reply on the current master: the names it found and where it goes on. */
    void found(List<String> names, String nextCursor) {
        pending.addAll(names);
        cursor = nextCursor;
    }

    /**
     * Ends the SCAN of the current master, which now serves {@code servedNow}: the slots it served
     * throughout are covered.
     */
    void end(SlotSet servedNow) {
        uncovered = uncovered.andNot(masterSlots.and(servedNow));
        drop();
    }

    /** Gives up the current master without covering anything (it is gone, or no longer a master). */
    void drop() {
        master = NO_MASTER;
        masterSlots = SlotSet.NONE;
        cursor = INITIAL_CURSOR;
    }

    /** Covers every remaining slot: no master serves them, so they hold no entries. */
    void coverRest() {
        uncovered = SlotSet.NONE;
        drop();
    }

    /** The cursor of the next page, or empty when the scan is complete. */
    Optional<String> next() {
        if (scanned() && pending.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder text = new StringBuilder()
                .append(master).append(' ').append(cursor).append(' ')
                .append(masterSlots).append(' ').append(uncovered);
        for (String name : pending) {
            text.append('\n').append(name);
        }
        return Optional.of(text.toString());
    }

    private static boolean isMasterId(String text) {
        return text.equals(NO_MASTER) || (!text.isEmpty() && text.length() <= 64
                && text.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')));
    }

    private static boolean isCursor(String text) {
        return !text.isEmpty() && text.length() <= 20 && text.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
