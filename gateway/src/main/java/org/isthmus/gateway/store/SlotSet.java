package org.isthmus.gateway.store;

import java.util.BitSet;

/**
 * An immutable set of Redis Cluster hash slots (0 to 16383), written as ranges such as
 * {@code 0-5460,10923-16383} or {@code -} when empty: the form Redis's CLUSTER NODES uses, and the one
 * a {@link RedisScan} cursor carries.
 */
final class SlotSet {

    /** The number of hash slots of a Redis Cluster. */
    static final int SLOT_COUNT = 16_384;

    /** Every slot: a single server holds them all. */
    static final SlotSet ALL = range(0, SLOT_COUNT - 1);

    /** No slot. */
    static final SlotSet NONE = new SlotSet(new BitSet(SLOT_COUNT));

    private static final String EMPTY_TEXT = "-";

    private final BitSet slots;

    private SlotSet(BitSet slots) {
        this.slots = slots;
    }

    /** The slots {@code first} to {@code last}, both included. */
    static SlotSet range(int first, int last) {
        checkSlot(first);
        checkSlot(last);
        BitSet bits = new BitSet(SLOT_COUNT);
        bits.set(first, last + 1);
        return new SlotSet(bits);
    }

    /** The slots of {@code bits}; the caller's set is copied. */
    static SlotSet of(BitSet bits) {
        if (bits.length() > SLOT_COUNT) {
            throw new IllegalArgumentException("a hash slot is below " + SLOT_COUNT + ": " + (bits.length() - 1));
        }
        return new SlotSet((BitSet) bits.clone());
    }

    /** Reads the text form; throws {@link IllegalArgumentException} for anything else. */
    static SlotSet parse(String text) {
        if (text.equals(EMPTY_TEXT)) {
            return NONE;
        }
        BitSet bits = new BitSet(SLOT_COUNT);
        for (String range : text.split(",", -1)) {
            int dash = range.indexOf('-');
            int first = slot(dash < 0 ? range : range.substring(0, dash));
            int last = dash < 0 ? first : slot(range.substring(dash + 1));
            if (last < first) {
                throw new IllegalArgumentException("not a range of hash slots: " + range);
            }
            bits.set(first, last + 1);
        }
        return new SlotSet(bits);
    }

    boolean isEmpty() {
        return slots.isEmpty();
    }

    boolean contains(int slot) {
        return slots.get(slot);
    }

    boolean intersects(SlotSet other) {
        return slots.intersects(other.slots);
    }

    /** The slots in both sets. */
    SlotSet and(SlotSet other) {
        BitSet bits = (BitSet) slots.clone();
        bits.and(other.slots);
        return new SlotSet(bits);
    }

    /** The slots of this set that are not in {@code other}. */
    SlotSet andNot(SlotSet other) {
        BitSet bits = (BitSet) slots.clone();
        bits.andNot(other.slots);
        return new SlotSet(bits);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SlotSet that && slots.equals(that.slots);
    }

    @Override
    public int hashCode() {
        return slots.hashCode();
    }

    /** The text form, ranges in ascending order. */
    @Override
    public String toString() {
        if (slots.isEmpty()) {
            return EMPTY_TEXT;
        }
        StringBuilder text = new StringBuilder();
        int first = slots.nextSetBit(0);
        while (first >= 0) {
            int last = slots.nextClearBit(first) - 1;
            text.append(text.length() == 0 ? "" : ",").append(first);
            if (last > first) {
                text.append('-').append(last);
            }
            first = slots.nextSetBit(last + 1);
        }
        return text.toString();
    }

    private static int slot(String digits) {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not a hash slot: " + digits);
        }
        return checkSlot(Integer.parseInt(digits));
    }

    private static int checkSlot(int slot) {
        if (slot < 0 || slot >= SLOT_COUNT) {
            throw new IllegalArgumentException("a hash slot is 0 to " + (SLOT_COUNT - 1) + ": " + slot);
        }
        return slot;
    }
}
