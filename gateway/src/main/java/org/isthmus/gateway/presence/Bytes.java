package org.isthmus.gateway.presence;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/** Varints and strings in a byte array: the parts of {@link PackedRecords} and {@link PackedPresence}. */
final class Bytes {

    private Bytes() {
    }

    /** A growing byte buffer. */
    static final class Out {
        private byte[] buf = new byte[128];
        private int size;

        void write(int b) {
            if (size == buf.length) {
                buf = Arrays.copyOf(buf, size * 2);
            }
            buf[size++] = (byte) b;
        }

        void varint(long v) {
            long x = v;
            while ((x & ~0x7fL) != 0) {
                write((int) ((x & 0x7f) | 0x80));
                x >>>= 7;
            }
            write((int) x);
        }

        void zigzag(long v) {
            varint((v << 1) ^ (v >> 63));
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length);
            for (byte x : b) {
                write(x);
            }
        }

        /** A flag, then the string if there is one. */
        void optional(Optional<String> s) {
            write(s.isPresent() ? 1 : 0);
            s.ifPresent(this::string);
        }

        byte[] toArray() {
            return Arrays.copyOf(buf, size);
        }
    }

    /** Reads what {@link Out} wrote. */
    static final class In {
        private final byte[] buf;
        private int pos;

        In(byte[] buf) {
            this.buf = buf;
        }

        int read() {
            return buf[pos++] & 0xff;
        }

        long varint() {
            long v = 0;
            int shift = 0;
            while (true) {
                int b = read();
                v |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
                shift += 7;
            }
        }

        long zigzag() {
            long v = varint();
            return (v >>> 1) ^ -(v & 1);
        }

        Optional<String> optional() {
            return read() == 1 ? Optional.of(string()) : Optional.empty();
        }

        String string() {
            int n = (int) varint();
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }
    }
}
