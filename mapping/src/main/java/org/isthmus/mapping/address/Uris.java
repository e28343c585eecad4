package org.isthmus.mapping.address;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Percent-encoding (RFC 3986 §2.1) and the small pieces of URI syntax the address URIs share. */
final class Uris {

    private Uris() {
    }

    /**
     * The URI inside a {@code name-addr}: surrounding white space, a display name and one pair of
     * enclosing angle brackets removed ({@code Romeo Montague <im:romeo@example.net>}, RFC 3862 §3.1,
     * RFC 3261 §20.10).
     */
    static String unbracket(String text) {
        String s = text.strip();
        if (s.length() >= 2 && s.charAt(s.length() - 1) == '>') {
            int open = s.lastIndexOf('<');
            if (open >= 0) {
                s = s.substring(open + 1, s.length() - 1).strip();
            }
        }
        return s;
    }

    /**
     * Percent-encodes the UTF-8 bytes that are neither ASCII letters or digits nor in {@code safe},
     * with upper-case hex digits (RFC 3986 §2.1: "SHOULD use uppercase").
     */
    static String percentEncode(String s, String safe) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isSafe(c, safe)) {
                sb = new StringBuilder(s.length() + 16).append(s, 0, i);
                break;
            }
        }
        if (sb == null) {
            return s;
        }
        for (byte b : s.substring(sb.length()).getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (isSafe((char) c, safe)) {
                sb.append((char) c);
            } else {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return sb.toString();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private static boolean isSafe(char c, String safe) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || (c < 0x80 && safe.indexOf(c) >= 0);
    }

    /**
     * Percent-decodes to UTF-8 text; empty if an escape is malformed (RFC 3986 §2.1 needs two hex
     * digits) or the bytes are not UTF-8. Strict on purpose: a lenient decoder would map two
     * different wire forms to one address.
     */
    static Optional<String> percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return Optional.of(s);
        }
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[raw.length];
        int n = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%') {
                if (i + 2 >= raw.length) {
                    return Optional.empty();
                }
                int hi = Character.digit(raw[i + 1], 16);
                int lo = Character.digit(raw[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                out[n++] = (byte) (hi * 16 + lo);
                i += 2;
            } else {
                out[n++] = raw[i];
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out, 0, n)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** True if every character is printable ASCII other than space (no controls, no Unicode). */
    static boolean isVisibleAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
