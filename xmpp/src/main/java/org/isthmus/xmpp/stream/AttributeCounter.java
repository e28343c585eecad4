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

    private enum State { TEXT, LESS_THAN, BANG, CDATA, SKIP, TAG, QUOTED }

    private final int max;
    private State state = State.TEXT;
    private int count;
    private byte quote;
    /** In {@code BANG}: bytes of "[CDATA[" matched so far; in {@code CDATA}: consecutive ']' seen. */
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
        for (int i = from; i < to; i++) {
            byte b = buffer.get(i);
            switch (state) {
                case TEXT -> {
                    if (b == '<') {
                        state = State.LESS_THAN;
                    }
                }
                case LESS_THAN -> {
                    if (b == '!') {
                        state = State.BANG;
                        matched = 0;
                    } else if (b == '?') {
                        state = State.SKIP;
                    } else {
                        state = b == '>' ? State.TEXT : State.TAG;
                        count = 0;
                    }
                }
                case BANG -> {
                    if (b == CDATA[matched]) {
                        matched++;
                        if (matched == CDATA.length) {
                            state = State.CDATA;
                            matched = 0;
                        }
                    } else {
                        state = b == '>' ? State.TEXT : State.SKIP;
                    }
                }
                case CDATA -> {
                    if (b == ']') {
                        matched++;
                    } else {
                        if (b == '>' && matched >= 2) {
                            state = State.TEXT;
                        }
                        matched = 0;
                    }
                }
                case SKIP -> {
                    if (b == '>') {
                        state = State.TEXT;
                    }
                }
                case TAG -> {
                    if (b == '\'' || b == '"') {
                        quote = b;
                        state = State.QUOTED;
                    } else if (b == '>') {
                        state = State.TEXT;
                    } else if (b == '=' && ++count > max) {
                        return i;
                    }
                }
                case QUOTED -> {
                    if (b == quote) {
                        state = State.TAG;
                    }
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
        return -1;
    }
}
