package org.isthmus.mapping.address;

/**
 * JID escaping (XEP-0106 §3.2, §3.3, §4): how a foreign identifier that contains characters a JID
 * localpart forbids travels as a localpart, and back.
 */
public final class JidEscaping {

    /** The characters XEP-0106 Table 1 escapes, in table order. */
    private static final String ESCAPED = " \"&'/:<>@\\";

    private JidEscaping() {
    }

    /**
     * Escapes a decoded foreign identifier for use as a localpart (XEP-0106 §4.2 steps 3 and 4): every
     * disallowed character becomes {@code \hh}; a backslash becomes {@code \5c} only where it starts a
     * sequence that unescaping would otherwise consume (§4.3), so other backslashes pass unchanged.
     * The hex digits are matched in either case here because the localpart is case-mapped afterwards
     * (RFC 7622 §3.3): {@code \2F} would become the escape {@code \2f}.
     */
    public static String escape(String unescaped) {
        StringBuilder sb = new StringBuilder(unescaped.length() + 8);
        for (int i = 0; i < unescaped.length(); i++) {
            char c = unescaped.charAt(i);
            if (c == '\\') {
                sb.append(isEscapeSequence(unescaped, i, true) ? "\\5c" : "\\");
            } else if (ESCAPED.indexOf(c) >= 0) {
                sb.append('\\').append(hex(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Reverses {@link #escape}: only the ten sequences of XEP-0106 Table 2 are unescaped (§4.1 rule 3). */
    public static String unescape(String escaped) {
        StringBuilder sb = new StringBuilder(escaped.length());
        int i = 0;
        while (i < escaped.length()) {
            char c = escaped.charAt(i);
            if (c == '\\' && isEscapeSequence(escaped, i, false)) {
                sb.append((char) Integer.parseInt(escaped.substring(i + 1, i + 3), 16));
                i += 3;
            } else {
                sb.append(c);
                i++;
            }
        }
        return sb.toString();
    }

    /**
     * True if the escaped form starts or ends with {@code \20}, which XEP-0106 §4.1 rule 6 forbids: an
     * identifier with a leading or trailing space has no escaped localpart.
     */
    static boolean hasEdgeSpace(String unescaped) {
        return !unescaped.isEmpty()
                && (unescaped.charAt(0) == ' ' || unescaped.charAt(unescaped.length() - 1) == ' ');
    }

    /**
     * True if {@code s} at {@code i} holds a backslash followed by one of the ten escape codes (XEP-0106
     * Table 2, lower-case hex), or with {@code anyCase} one that case mapping would turn into one.
     */
    private static boolean isEscapeSequence(String s, int i, boolean anyCase) {
        if (i + 2 >= s.length() || s.charAt(i) != '\\') {
            return false;
        }
        char h = s.charAt(i + 1);
        char l = s.charAt(i + 2);
        if (h >= 0x80 || l >= 0x80) {
            return false;
        }
        int hi = Character.digit(h, 16);
        int lo = Character.digit(l, 16);
        return hi >= 0 && lo >= 0 && (anyCase || !Character.isUpperCase(l))
                && ESCAPED.indexOf((char) (hi * 16 + lo)) >= 0;
    }

    private static String hex(char c) {
        return new String(new char[] {Character.forDigit(c >> 4, 16), Character.forDigit(c & 0xf, 16)});
    }
}
