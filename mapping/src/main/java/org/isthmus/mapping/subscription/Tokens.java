package org.isthmus.mapping.subscription;

/** Character classes of the SIP grammar (RFC 3261 §25.1) that the subscription headers use. */
final class Tokens {

    private Tokens() {
    }

    /** RFC 3261 §25.1 {@code token} characters: alphanum and {@code -.!%*_+`'~}. */
    static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-.!%*_+`'~".indexOf(c) >= 0;
    }

    /** A non-empty string of token characters. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
