package org.isthmus.xmpp.stream;

import java.nio.ByteBuffer;

/**
 * Follows UTF-8 (RFC 3629 §4) across the buffers of a stream, a byte at a time: where characters end,
 * and the first byte that breaks the encoding (an overlong form, a surrogate, a code point above
 * U+10FFFF, a stray continuation byte). Aalto lets some of these through and decodes them to characters
 * XML forbids, and drops a character outside the BMP from an attribute value when its bytes arrive in
 * two buffers; {@link XmppStreamDecoder} checks the bytes here first and gives Aalto whole characters.
 */
final class Utf8Scanner {

    /** Continuation bytes the current character still needs, and how many of its bytes came already. */
    private int expected;
    private int seen;
    /** The range of the next continuation byte (narrower after E0, ED, F0 and F4). */
    private int low = 0x80;
    private int high = 0xBF;
    private boolean broken;

    /**
     * Reads {@code buffer}'s bytes from index {@code from} to {@code to}, stopping at a byte that breaks
     * the encoding ({@link #broken()} is then true). The bytes of a character begun before {@code from}
     * are expected right before it, in the same buffer.
     *
     * @return the index after the last character the bytes read complete; where the current character
     *         began if none
     */
    int scan(ByteBuffer buffer, int from, int to) {
        int whole = from - seen;
        for (int i = from; i < to; i++) {
            if (expected == 0) {
                // A run of ASCII, most of an XMPP stream, needs no state.
                while (i < to && buffer.get(i) >= 0) {
                    i++;
                }
                whole = i;
                if (i == to) {
                    break;
                }
            }
            if (!accept(buffer.get(i) & 0xFF)) {
                broken = true;
                return whole;
            }
            if (expected == 0) {
                whole = i + 1;
            }
        }
        return whole;
    }

    /** Whether a byte read so far broke the encoding. */
    boolean broken() {
        return broken;
    }

    private boolean accept(int b) {
        if (expected > 0) {
            if (b < low || b > high) {
                return false;
            }
            expected--;
            seen = expected == 0 ? 0 : seen + 1;
            low = 0x80;
            high = 0xBF;
            return true;
        }
        if (b < 0x80) {
            return true;
        }
        seen = 1;
        if (b >= 0xC2 && b <= 0xDF) {
            expected = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            expected = 2;
            low = b == 0xE0 ? 0xA0 : 0x80;
            high = b == 0xED ? 0x9F : 0xBF;
        } else if (b >= 0xF0 && b <= 0xF4) {
            expected = 3;
            low = b == 0xF0 ? 0x90 : 0x80;
            high = b == 0xF4 ? 0x8F : 0xBF;
        } else {
            return false;
        }
        return true;
    }
}
