package org.isthmus.mapping.document.pidf;

/** Escaping of character data and attribute values for the XML this package writes (XML 1.0 §2.4, §3.3.3). */
final class XmlText {

    private XmlText() {
    }

    /** Appends text content: {@code & < >} escaped, characters XML 1.0 §2.2 forbids replaced by U+FFFD. */
    static void appendText(StringBuilder out, String s) {
        append(out, s, false);
    }

    /**
     * Appends a double-quoted attribute value's content: also {@code "} escaped, and tab, CR and LF
     * written as character references so that attribute-value normalization keeps them.
     */
    static void appendAttribute(StringBuilder out, String s) {
        append(out, s, true);
    }

    private static void append(StringBuilder out, String s, boolean attribute) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append(attribute ? "&quot;" : "\"");
                case '\t' -> out.append(attribute ? "&#9;" : "\t");
                case '\n' -> out.append(attribute ? "&#10;" : "\n");
                case '\r' -> out.append("&#13;");
                default -> {
                    if (c < 0x20 || c == 0xFFFE || c == 0xFFFF) {
                        out.append('\uFFFD');
                    } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        out.append('\uFFFD');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }
}
