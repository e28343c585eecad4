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
     */
    public static String escape(String unescaped) {
        StringBuilder sb = new StringBuilder(unescaped.length() + 8);
        for (int i = 0; i < unescaped.length(); i++) {
            char c = unescaped.charAt(i);
            if (c == '\\') {
                sb.append(isEscapeSequence(unescaped, i) ? "\\5c" : "\\");
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
            if (c == '\\' && isEscapeSequence(escaped, i)) {
                sb.append((char) Integer.parseInt(escaped.substring(i + 1, i + 3), 16));
                i += 3;
            } else {
                sb.append(c);
                i++;
            }
        }
        return sb.toString();
    }

    /** True if {@code s} at {@code i} holds a backslash followed by one of the ten escape codes. */
    private static boolean isEscapeSequence(String s, int i) {
        if (i + 2 >= s.length() || s.charAt(i) != '\\') {
            return false;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        return hi >= 0 && lo >= 0 && Character.isLowerCase(s.charAt(i + 2)) == Character.isLetter(s.charAt(i + 2))
                && ESCAPED.indexOf((char) (hi * 16 + lo)) >= 0;
    }

    private static String hex(char c) {
        return new String(new char[] {Character.forDigit(c >> 4, 16), Character.forDigit(c & 0xf, 16)});
    }
}
