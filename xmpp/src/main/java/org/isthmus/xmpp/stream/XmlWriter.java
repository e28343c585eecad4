package org.isthmus.xmpp.stream;

import java.util.Map;

/**
 * Writes {@link XmlElement}s as XML text with the escaping of XML 1.0 §2.4 and §3.3.3, dropping the
 * characters XML 1.0 §2.2 does not allow (controls, unpaired surrogates, U+FFFE, U+FFFF), so a value
 * from the other network can never break or inject markup (RFC 6120 §11.1 item 1).
 */
public final class XmlWriter {

    private XmlWriter() {
    }

    /** The element as XML; its namespace is declared unless it equals {@code inheritedNamespace}. */
    public static String toXml(XmlElement element, String inheritedNamespace) {
        StringBuilder sb = new StringBuilder(128);
        write(element, inheritedNamespace, sb);
        return sb.toString();
    }

    /** Appends the element as XML to {@code out}. */
    public static void write(XmlElement element, String inheritedNamespace, StringBuilder out) {
        out.append('<').append(element.name());
        if (!element.namespace().equals(inheritedNamespace)) {
            out.append(" xmlns='");
            appendAttributeValue(out, element.namespace());
            out.append('\'');
        }
        int prefixes = 0;
        for (Map.Entry<String, String> a : element.attributes().entrySet()) {
            String key = a.getKey();
            if (key.startsWith("{")) {
                int close = key.indexOf('}');
                String prefix = "ns" + prefixes++;
                out.append(" xmlns:").append(prefix).append("='");
                appendAttributeValue(out, key.substring(1, close));
                out.append("' ").append(prefix).append(':').append(key, close + 1, key.length());
            } else {
                out.append(' ').append(key);
            }
            out.append("='");
            appendAttributeValue(out, a.getValue());
            out.append('\'');
        }
        if (element.children().isEmpty() && element.text().isEmpty()) {
            out.append("/>");
            return;
        }
        out.append('>');
        appendText(out, element.text());
        for (XmlElement child : element.children()) {
            write(child, element.namespace(), out);
        }
        out.append("</").append(element.name()).append('>');
    }

    /** Character data escaped for element content. */
    public static String escapeText(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 16);
        appendText(sb, text);
        return sb.toString();
    }

    /** A value escaped for an attribute in single or double quotes. */
    public static String escapeAttribute(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 16);
        appendAttributeValue(sb, value);
        return sb.toString();
    }

    /** Appends character data escaped for element content. */
    public static void appendText(StringBuilder out, String text) {
        append(out, text, false);
    }

    /** Appends a value escaped for an attribute in single or double quotes. */
    public static void appendAttributeValue(StringBuilder out, String value) {
        append(out, value, true);
    }

    private static void append(StringBuilder out, String s, boolean attribute) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '\'' -> out.append(attribute ? "&apos;" : "'");
                case '"' -> out.append(attribute ? "&quot;" : "\"");
                // XML 1.0 §2.11 and §3.3.3 normalize these; references keep them as sent.
                case '\r' -> out.append("&#xD;");
                case '\n' -> out.append(attribute ? "&#xA;" : "\n");
                case '\t' -> out.append(attribute ? "&#x9;" : "\t");
                default -> {
                    if (Character.isHighSurrogate(c)) {
                        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                            out.append(c).append(s.charAt(++i));
                        }
                    } else if (isAllowed(c)) {
                        out.append(c);
                    }
                }
            }
        }
    }

    /** XML 1.0 §2.2 Char production for a BMP character that is not a surrogate. */
    private static boolean isAllowed(char c) {
        return (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);
    }
}
