package org.isthmus.xmpp.stream;

import java.nio.ByteBuffer;

/**
 * Counts the attributes and namespace declarations of each tag in the raw bytes of a stream, before
 * the parser sees them, and finds the first one past a limit. Aalto binds namespace declarations and
 * checks attribute names in time that grows with the square of their number (20,000 declarations on one
 * element took about 10 s of an event loop here), so the limit is kept before that work: each {@code =}
 * inside a tag and outside a quoted value is one attribute or declaration (XML 1.0 §3.1 {@code Attribute},
 * Namespaces in XML 1.0 §3 {@code NSAttName}). Character data, CDATA sections (XML 1.0 §2.7), comments and
 * processing instructions are skipped; the parser refuses the last two anyway (RFC 6120 §11.1).
 */
final class AttributeCounter {

    private static final byte[] CDATA = {'[', 'C', 'D', 'A', 'T', 'A', '['};

    // The states, as ints so that the loop below keeps its state in a local (issue 7: a switch on an
    // enum field per byte was a fifth of the decoder's time).
    private static final int TEXT = 0;
    private static final int LESS_THAN = 1;
    private static final int BANG = 2;
    private static final int IN_CDATA = 3;
    private static final int SKIP = 4;
    private static final int TAG = 5;
    private static final int QUOTED = 6;

    private final int max;
    private int state = TEXT;
    private int count;
    private byte quote;
    /** In {@code BANG}: bytes of "[CDATA[" matched so far; in {@code IN_CDATA}: consecutive ']' seen. */
    private int matched;

    AttributeCounter(int max) {
        this.max = max;
    }

    /**
     * Reads {@code buffer}'s bytes from index {@code from} to {@code to}.
     *
     * @return the index of the {@code =} that makes one tag's count exceed the limit, or -1
     */
    int scan(ByteBuffer buffer, int from, int to) {
        int s = state;
        int c = count;
        byte q = quote;
        int m = matched;
        int i = from;
        try {
            while (i < to) {
                switch (s) {
                    case TEXT -> {
                        // Character data: only a '<' matters.
                        while (i < to && buffer.get(i) != '<') {
                            i++;
                        }
                        if (i < to) {
                            s = LESS_THAN;
                            i++;
                        }
                    }
                    case LESS_THAN -> {
                        byte b = buffer.get(i++);
                        if (b == '!') {
                            s = BANG;
                            m = 0;
                        } else if (b == '?') {
                            s = SKIP;
                        } else {
                            s = b == '>' ? TEXT : TAG;
                            c = 0;
                        }
                    }
                    case BANG -> {
                        byte b = buffer.get(i++);
                        if (b == CDATA[m]) {
                            m++;
                            if (m == CDATA.length) {
                                s = IN_CDATA;
                                m = 0;
                            }
                        } else {
                            s = b == '>' ? TEXT : SKIP;
                        }
                    }
                    case IN_CDATA -> {
                        byte b = buffer.get(i++);
                        if (b == ']') {
                            m++;
                        } else {
                            if (b == '>' && m >= 2) {
                                s = TEXT;
                            }
                            m = 0;
                        }
                    }
                    case SKIP -> {
                        while (i < to && buffer.get(i) != '>') {
                            i++;
                        }
                        if (i < to) {
                            s = TEXT;
                            i++;
                        }
                    }
                    case TAG -> {
                        byte b = buffer.get(i);
                        if (b == '\'' || b == '"') {
                            q = b;
                            s = QUOTED;
                        } else if (b == '>') {
                            s = TEXT;
                        } else if (b == '=' && ++c > max) {
                            return i;
                        }
                        i++;
                    }
                    case QUOTED -> {
                        // A quoted value: only its closing quote matters.
                        while (i < to && buffer.get(i) != q) {
                            i++;
                        }
                        if (i < to) {
                            s = TAG;
                            i++;
                        }
                    }
                    default -> throw new IllegalStateException("state " + s);
                }
            }
            return -1;
        } finally {
            state = s;
            count = c;
            quote = q;
            matched = m;
        }
    }
}
