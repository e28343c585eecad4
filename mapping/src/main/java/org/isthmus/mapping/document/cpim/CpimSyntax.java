package org.isthmus.mapping.document.cpim;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The character classes and small productions of RFC 3862 §3.6, and the escape mechanism of §2.3.
 * Each check returns the reason it failed, or empty, so that the decoder can turn it into a
 * {@link org.isthmus.mapping.Rejected} and the value types into an argument error.
 */
final class CpimSyntax {

    private CpimSyntax() {
    }

    /** RFC 3862 §3.6 {@code NAMECHAR}: US-ASCII except ".", CTLs and SEPARATORS. */
    static boolean isNameChar(int c) {
        return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2a || c == 0x2b || c == 0x2d
                || (c >= 0x5e && c <= 0x60) || c == 0x7c || c == 0x7e
                || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    /** RFC 3862 §3.6 {@code TOKENCHAR}: a NAMECHAR, "." or any non-ASCII character. */
    static boolean isTokenChar(int c) {
        return isNameChar(c) || c == '.' || c >= 0x80;
    }

    /** RFC 3862 §3.6 {@code CTL}: U+0000 to U+001F and U+007F. */
    static boolean isControl(int c) {
        return c < 0x20 || c == 0x7f;
    }

    static boolean isName(String s) {
        return !s.isEmpty() && s.chars().allMatch(CpimSyntax::isNameChar);
    }

    /** RFC 3862 §3.6 {@code Header-name = [ Name-prefix "." ] Name}. */
    static Optional<String> checkHeaderName(String name) {
        int dot = name.indexOf('.');
        boolean ok = dot < 0 ? isName(name)
                : isName(name.substring(0, dot)) && isName(name.substring(dot + 1));
        return ok ? Optional.empty() : Optional.of("malformed header name");
    }

    /**
     * RFC 3066 §2.1 {@code Language-Tag = Primary-subtag *( "-" Subtag )}, 1 to 8 letters first, then
     * 1 to 8 letters or digits each.
     */
    static boolean isLanguageTag(String tag) {
        String[] subtags = tag.split("-", -1);
        for (int i = 0; i < subtags.length; i++) {
            String s = subtags[i];
            if (s.isEmpty() || s.length() > 8) {
                return false;
            }
            for (int j = 0; j < s.length(); j++) {
                char c = s.charAt(j);
                boolean letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
                if (!letter && (i == 0 || c < '0' || c > '9')) {
                    return false;
                }
            }
        }
        return true;
    }

    /** One header parameter, its value with any quoting and escapes removed. */
    record Parameter(String name, String value) {
    }

    /**
     * Parses the parameters between a header's colon and its value, {@code *( ";" Parameter )}
     * (RFC 3862 §3.6): {@code lang=} takes a language tag (§3.3), others a Token, Number or String.
     *
     * @return the parameters, or the reason they are malformed
     */
    static ParsedParameters parseParameters(String text) {
        List<Parameter> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            if (text.charAt(i) != ';') {
                return ParsedParameters.error("parameters must each begin with ';'");
            }
            int eq = text.indexOf('=', i + 1);
            if (eq < 0) {
                return ParsedParameters.error("parameter without '='");
            }
            String name = text.substring(i + 1, eq);
            if (!isName(name)) {
                return ParsedParameters.error("malformed parameter name");
            }
            int end;
            String value;
            if (eq + 1 < text.length() && text.charAt(eq + 1) == '"') {
                end = endOfString(text, eq + 1);
                if (end < 0) {
                    return ParsedParameters.error("unterminated quoted parameter value");
                }
                value = unescape(text.substring(eq + 2, end - 1));
            } else {
                end = eq + 1;
                while (end < text.length() && text.charAt(end) != ';') {
                    end++;
                }
                value = text.substring(eq + 1, end);
                boolean ok = name.equals("lang") ? isLanguageTag(value)
                        : !value.isEmpty() && value.codePoints().allMatch(CpimSyntax::isTokenChar);
                if (!ok) {
                    return ParsedParameters.error("malformed value of parameter " + name);
                }
            }
            out.add(new Parameter(name, value));
            i = end;
        }
        return new ParsedParameters(List.copyOf(out), Optional.empty());
    }

    /** Parameters or the reason they could not be read. */
    record ParsedParameters(List<Parameter> parameters, Optional<String> error) {
        static ParsedParameters error(String reason) {
            return new ParsedParameters(List.of(), Optional.of(reason));
        }
    }

    /**
     * The index just after the closing quote of the {@code String} (RFC 3862 §3.6) that opens at
     * {@code open}, or -1 if it is not closed or holds a character a String may not.
     */
    static int endOfString(String s, int open) {
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i + 1;
            } else if (isControl(c)) {
                return -1;
            }
        }
        return -1;
    }

    /** The reason a raw header value breaks RFC 3862 §2.2 (control characters, unpaired surrogates), if it does. */
    static Optional<String> checkRawValue(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (isControl(c)) {
                return Optional.of(String.format("control character U+%04X in a header", (int) c));
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < raw.length() && Character.isLowSurrogate(raw.charAt(i + 1))) {
                    i++;
                } else {
                    return Optional.of("unpaired surrogate in a header");
                }
            }
        }
        return Optional.empty();
    }

    /** Whether text holds a UTF-16 surrogate that is not half of a pair (and so no Unicode character). */
    static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Decodes the escapes of RFC 3862 §2.3: {@code \\uxxxx} and the special sequences; an unknown
     * escape stands for the character after the backslash, and a backslash at the very end is
     * dropped (§2.3.1, last paragraphs).
     */
    static String unescape(String raw) {
        if (raw.indexOf('\\') < 0) {
            return raw;
        }
        StringBuilder sb = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (i + 1 == raw.length()) {
                break;
            }
            char e = raw.charAt(++i);
            switch (e) {
                case 'b' -> sb.append('\b');
                case 't' -> sb.append('\t');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 'u' -> {
                    int cp = i + 4 < raw.length() ? hex4(raw, i + 1) : -1;
                    if (cp >= 0) {
                        sb.append((char) cp);
                        i += 4;
                    } else {
                        sb.append('u');
                    }
                }
                default -> sb.append(e);
            }
        }
        return sb.toString();
    }

    private static int hex4(String s, int from) {
        int v = 0;
        for (int i = from; i < from + 4; i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0 || s.charAt(i) > 'f') {
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }

    /**
     * Escapes text for a header value as RFC 3862 §2.3.1 requires of a generator: the special
     * sequences for backslash, backspace, tab, LF and CR, {@code \\uxxxx} for other control characters,
     * and (inside a quoted String) {@code \"} for the double quote. Nothing else is escaped.
     */
    static String escape(String text, boolean inQuotedString) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String rep = switch (c) {
                case '\\' -> "\\\\";
                case '\b' -> "\\b";
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '"' -> inQuotedString ? "\\\"" : null;
                default -> isControl(c) ? String.format("\\u%04x", (int) c) : null;
            };
            if (rep != null && sb == null) {
                sb = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (sb != null) {
                if (rep != null) {
                    sb.append(rep);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? text : sb.toString();
    }
}
