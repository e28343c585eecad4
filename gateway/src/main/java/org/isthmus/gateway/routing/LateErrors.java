package org.isthmus.gateway.routing;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The SIP messages answered 202 that a late XMPP error can still refer to (RFC 3428 §7: a gateway's 202
 * promises nothing about delivery, so an error that comes after it is reported to the sender), each
 * packed into one byte array of what the report needs, and found by the sequence number of the stanza
 * sent for it.
 *
 * <p>Why packed (issue 7): the memory lasts minutes, so at thousands of messages a second it holds
 * hundreds of thousands of entries. Kept as the received message with its parsed addresses, body,
 * futures and map nodes it was about 1.4 KB a message, all of it copied by the young collections
 * before it reached the old generation; packed, it is one array of about the size of its strings, in
 * slots of two primitive arrays indexed by the stanza's sequence number, with no node or key per entry.
 *
 * <p>Entries are forgotten in the order they were remembered ({@link #expire}), which is also the order
 * they fall due, since every entry is kept equally long. Thread-safe: every method holds the lock,
 * which one entry per message and rare look-ups leave uncontended.
 */
final class LateErrors {

    private static final int INITIAL_SLOTS = 1024;

    /** Slots by sequence number modulo their count (a power of two): the sequence number and the record. */
    private long[] slotSequence = new long[INITIAL_SLOTS];
    private byte[][] slotRecord = new byte[INITIAL_SLOTS][];

    /** Remembered entries in the order they were remembered: sequence number and when it is forgotten. */
    private long[] fifoSequence = new long[INITIAL_SLOTS];
    private long[] fifoDue = new long[INITIAL_SLOTS];
    private int fifoHead;
    private int fifoSize;
    private int live;

    /**
     * What a late error report needs of a message answered 202.
     *
     * @param callId        the MESSAGE's Call-ID, or {@code -}
     * @param recipientBare the XMPP recipient's bare JID, which the error must come from
     * @param from          the SIP sender's URI, in its canonical form
     * @param requestUri    the MESSAGE's Request-URI (the recipient's SIP address), canonical
     * @param subject       the MESSAGE's Subject, if any
     * @param contentType   the body's media type when it is {@code message/cpim} (it may ask for an IMDN)
     * @param body          that body, else empty
     */
    record Remembered(String callId, String recipientBare, String from, String requestUri, Optional<String> subject,
                      Optional<String> contentType, byte[] body) {
    }

    /** Remembers {@code entry} for the message whose stanza had sequence number {@code sequence}, until {@code due}. */
    synchronized void remember(long sequence, long due, Remembered entry) {
        byte[] packed = pack(entry);
        int slot = (int) (sequence & (slotRecord.length - 1));
        while (slotRecord[slot] != null && slotSequence[slot] != sequence) {
            growSlots();
            slot = (int) (sequence & (slotRecord.length - 1));
        }
        if (slotRecord[slot] == null) {
            live++;
        }
        slotSequence[slot] = sequence;
        slotRecord[slot] = packed;
        if (fifoSize == fifoSequence.length) {
            growFifo();
        }
        int tail = (fifoHead + fifoSize) & (fifoSequence.length - 1);
        fifoSequence[tail] = sequence;
        fifoDue[tail] = due;
        fifoSize++;
    }

    /** Takes out, so it is reported once, the entry of {@code sequence} if it is remembered and {@code from} sent it. */
    synchronized Optional<Remembered> take(long sequence, String fromBare) {
        int slot = (int) (sequence & (slotRecord.length - 1));
        byte[] packed = slotRecord[slot];
        if (packed == null || slotSequence[slot] != sequence) {
            return Optional.empty();
        }
        Remembered entry = unpack(packed);
        if (!entry.recipientBare().equals(fromBare)) {
            return Optional.empty();
        }
        slotRecord[slot] = null;
        live--;
        return Optional.of(entry);
    }

    /** Forgets every entry due by {@code now} ({@link System#nanoTime()}); returns the earliest due left, if any. */
    synchronized long expire(long now, long none) {
        int mask = fifoSequence.length - 1;
        while (fifoSize > 0 && fifoDue[fifoHead] - now <= 0) {
            long sequence = fifoSequence[fifoHead];
            int slot = (int) (sequence & (slotRecord.length - 1));
            if (slotRecord[slot] != null && slotSequence[slot] == sequence) {
                slotRecord[slot] = null;
                live--;
            }
            fifoHead = (fifoHead + 1) & mask;
            fifoSize--;
        }
        if (fifoSize == 0 && slotRecord.length > INITIAL_SLOTS) {
            // Idle again: give back what a burst made the tables grow to.
            slotSequence = new long[INITIAL_SLOTS];
            slotRecord = new byte[INITIAL_SLOTS][];
            fifoSequence = new long[INITIAL_SLOTS];
            fifoDue = new long[INITIAL_SLOTS];
            fifoHead = 0;
            live = 0;
        }
        return fifoSize == 0 ? none : fifoDue[fifoHead];
    }

    /** How many entries are remembered. */
    synchronized int size() {
        return live;
    }

    /**
     * Doubles the slots. Two live entries never meet in the doubled table, since entries that share a
     * slot modulo 2n already shared one modulo n.
     */
    private void growSlots() {
        long[] sequences = new long[slotSequence.length * 2];
        byte[][] records = new byte[slotRecord.length * 2][];
        int mask = records.length - 1;
        for (int i = 0; i < slotRecord.length; i++) {
            if (slotRecord[i] != null) {
                int slot = (int) (slotSequence[i] & mask);
                sequences[slot] = slotSequence[i];
                records[slot] = slotRecord[i];
            }
        }
        slotSequence = sequences;
        slotRecord = records;
    }

    private void growFifo() {
        int n = fifoSequence.length;
        long[] sequences = new long[n * 2];
        long[] dues = new long[n * 2];
        for (int i = 0; i < fifoSize; i++) {
            sequences[i] = fifoSequence[(fifoHead + i) & (n - 1)];
            dues[i] = fifoDue[(fifoHead + i) & (n - 1)];
        }
        fifoSequence = sequences;
        fifoDue = dues;
        fifoHead = 0;
    }

    // ---- Packing: each field as a 4-byte length and its bytes (strings in UTF-8); -1 for an absent one.

    static byte[] pack(Remembered e) {
        byte[][] fields = {utf8(e.callId()), utf8(e.recipientBare()), utf8(e.from()), utf8(e.requestUri()),
            e.subject().map(LateErrors::utf8).orElse(null), e.contentType().map(LateErrors::utf8).orElse(null),
            e.body()};
        int length = 0;
        for (byte[] f : fields) {
            length += 4 + (f == null ? 0 : f.length);
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] f : fields) {
            int n = f == null ? -1 : f.length;
            out[at++] = (byte) (n >>> 24);
            out[at++] = (byte) (n >>> 16);
            out[at++] = (byte) (n >>> 8);
            out[at++] = (byte) n;
            if (f != null) {
                System.arraycopy(f, 0, out, at, f.length);
                at += f.length;
            }
        }
        return out;
    }

    static Remembered unpack(byte[] packed) {
        byte[][] fields = new byte[7][];
        int at = 0;
        for (int i = 0; i < fields.length; i++) {
            int n = (packed[at] & 0xff) << 24 | (packed[at + 1] & 0xff) << 16 | (packed[at + 2] & 0xff) << 8
                    | (packed[at + 3] & 0xff);
            at += 4;
            if (n >= 0) {
                fields[i] = new byte[n];
                System.arraycopy(packed, at, fields[i], 0, n);
                at += n;
            }
        }
        return new Remembered(text(fields[0]), text(fields[1]), text(fields[2]), text(fields[3]),
                Optional.ofNullable(fields[4]).map(LateErrors::text), Optional.ofNullable(fields[5]).map(LateErrors::text),
                fields[6]);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
