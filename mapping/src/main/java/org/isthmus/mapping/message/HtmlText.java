package org.isthmus.mapping.message;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns an HTML fragment or document (a {@code text/html} MESSAGE body) into the two forms an XMPP
 * message carries, as RFC 7572 §7 asks: a plain-text {@code <body/>} and the XHTML-IM equivalent
 * (XEP-0071), which must be accompanied by that plain body.
 *
 * <p>It is a forgiving tokenizer, not an HTML parser, and never fails. Only elements of the XHTML-IM
 * Integration Set survive ({@code b} and {@code i} become {@code strong} and {@code em}; {@code div}
 * and headings become {@code p}); other elements are unwrapped to their text; {@code script},
 * {@code style}, {@code head}, {@code title} and comments disappear with their content. The only
 * attributes kept are {@code href} on {@code a} (schemes {@link #LINK_SCHEMES}) and {@code src}
 * (http/https) and {@code alt} on {@code img}: no {@code style}, no event handlers, no
 * {@code javascript:} links. Nesting deeper than {@link #MAX_DEPTH} and elements beyond
 * {@link #MAX_ELEMENTS} are unwrapped, so output size stays linear in input size.
 */
final class HtmlText {

    static final int MAX_DEPTH = 32;
    static final int MAX_ELEMENTS = 1000;
    static final Set<String> LINK_SCHEMES = Set.of("http", "https", "mailto", "xmpp", "sip", "sips", "tel", "im");

    private static final Set<String> VOID = Set.of("br", "img", "hr", "meta", "link", "input", "wbr", "area",
            "base", "col", "embed", "source", "track", "param");
    private static final Set<String> RAW = Set.of("script", "style", "head", "title", "textarea", "template");
    private static final Set<String> BLOCK = Set.of("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
            "blockquote", "tr", "table", "hr", "pre", "section", "article", "header", "footer");

    /** The two forms of the HTML. */
    record Converted(String plain, XhtmlIm xhtml) {
    }

    private final String html;
    private int pos;
    private final StringBuilder plain = new StringBuilder();
    private final List<Frame> stack = new ArrayList<>();
    private int elements;

    /** An element being built (or the body, at the bottom of the stack). */
    private static final class Frame {
        final String name;
        final Map<String, String> attributes;
        final List<XhtmlIm.Node> children = new ArrayList<>();
        final StringBuilder pendingText = new StringBuilder();
        final int plainStart;

        Frame(String name, Map<String, String> attributes, int plainStart) {
            this.name = name;
            this.attributes = attributes;
            this.plainStart = plainStart;
        }
    }

    private HtmlText(String html) {
        this.html = html;
        stack.add(new Frame(null, Map.of(), 0));
    }

    static Converted convert(String html) {
        HtmlText t = new HtmlText(html);
        t.run();
        while (t.stack.size() > 1) {
            t.close();
        }
        flush(t.stack.get(0));
        return new Converted(tidy(t.plain), new XhtmlIm(t.stack.get(0).children));
    }

    private void run() {
        int n = html.length();
        while (pos < n) {
            char c = html.charAt(pos);
            if (c == '<' && html.startsWith("<!--", pos)) {
                int end = html.indexOf("-->", pos + 4);
                pos = end < 0 ? n : end + 3;
            } else if (c == '<' && pos + 1 < n && (html.charAt(pos + 1) == '!' || html.charAt(pos + 1) == '?')) {
                int end = html.indexOf('>', pos);
                pos = end < 0 ? n : end + 1;
            } else if (c == '<' && pos + 2 < n && html.charAt(pos + 1) == '/' && isAsciiLetter(html.charAt(pos + 2))) {
                pos += 2;
                String name = name();
                int end = html.indexOf('>', pos);
                pos = end < 0 ? n : end + 1;
                endTag(name);
            } else if (c == '<' && pos + 1 < n && isAsciiLetter(html.charAt(pos + 1))) {
                pos++;
                String name = name();
                Map<String, String> attributes = new LinkedHashMap<>();
                boolean selfClosing = attributes(attributes);
                startTag(name, attributes, selfClosing);
                if (RAW.contains(name)) {
                    pos = endOfRawText(name);
                }
            } else if (c == '&') {
                text(entity());
            } else {
                int next = pos + 1;
                while (next < n && html.charAt(next) != '<' && html.charAt(next) != '&') {
                    next++;
                }
                text(html.substring(pos, next));
                pos = next;
            }
        }
    }

    /** Where the end tag of a raw-text element begins, found without case, or the end of the input. */
    private int endOfRawText(String name) {
        String close = "</" + name;
        for (int i = html.indexOf('<', pos); i >= 0; i = html.indexOf('<', i + 1)) {
            if (html.regionMatches(true, i, close, 0, close.length())) {
                return i;
            }
        }
        return html.length();
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private String name() {
        int start = pos;
        while (pos < html.length() && !Character.isWhitespace(html.charAt(pos)) && html.charAt(pos) != '>'
                && html.charAt(pos) != '/') {
            pos++;
        }
        return html.substring(start, pos).toLowerCase(Locale.ROOT);
    }

    /** Reads attributes up to and including '>'; returns whether the tag ended with "/>". */
    private boolean attributes(Map<String, String> out) {
        int n = html.length();
        while (pos < n) {
            char c = html.charAt(pos);
            if (c == '>') {
                pos++;
                return false;
            }
            if (c == '/' && pos + 1 < n && html.charAt(pos + 1) == '>') {
                pos += 2;
                return true;
            }
            if (Character.isWhitespace(c) || c == '/') {
                pos++;
                continue;
            }
            int start = pos;
            while (pos < n && !Character.isWhitespace(html.charAt(pos)) && "=>/".indexOf(html.charAt(pos)) < 0) {
                pos++;
            }
            String name = html.substring(start, pos).toLowerCase(Locale.ROOT);
            String value = "";
            if (pos < n && html.charAt(pos) == '=') {
                pos++;
                if (pos < n && (html.charAt(pos) == '"' || html.charAt(pos) == '\'')) {
                    char quote = html.charAt(pos);
                    int end = html.indexOf(quote, pos + 1);
                    end = end < 0 ? n : end;
                    value = html.substring(pos + 1, end);
                    pos = Math.min(n, end + 1);
                } else {
                    int vs = pos;
                    while (pos < n && !Character.isWhitespace(html.charAt(pos)) && html.charAt(pos) != '>') {
                        pos++;
                    }
                    value = html.substring(vs, pos);
                }
            }
            out.putIfAbsent(name, decodeEntities(value));
        }
        return false;
    }

    private static String mapped(String name) {
        return switch (name) {
            case "b", "strong" -> "strong";
            case "i", "em" -> "em";
            case "div", "h1", "h2", "h3", "h4", "h5", "h6" -> "p";
            case "a", "blockquote", "br", "cite", "img", "li", "ol", "p", "span", "ul" -> name;
            default -> null;
        };
    }

    private void startTag(String name, Map<String, String> attributes, boolean selfClosing) {
        if (BLOCK.contains(name) || name.equals("br")) {
            newline();
        }
        if (name.equals("img")) {
            String alt = attributes.getOrDefault("alt", "");
            text(alt);
        }
        String kept = mapped(name);
        if (kept == null || stack.size() > MAX_DEPTH || elements >= MAX_ELEMENTS) {
            return;
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        if (kept.equals("a")) {
            String href = attributes.get("href");
            if (href != null && hasScheme(href.strip(), LINK_SCHEMES)) {
                attrs.put("href", href.strip());
            }
        } else if (kept.equals("img")) {
            String src = attributes.get("src");
            if (src == null || !hasScheme(src.strip(), Set.of("http", "https"))) {
                return;
            }
            attrs.put("src", src.strip());
            attrs.put("alt", attributes.getOrDefault("alt", ""));
        }
        elements++;
        Frame frame = new Frame(kept, attrs, plain.length());
        flush(top());
        if (VOID.contains(name) || selfClosing) {
            top().children.add(new XhtmlIm.Element(kept, attrs, List.of()));
        } else {
            stack.add(frame);
        }
    }

    private void endTag(String name) {
        if (BLOCK.contains(name)) {
            newline();
        }
        String kept = mapped(name);
        if (kept == null) {
            return;
        }
        for (int i = stack.size() - 1; i > 0; i--) {
            if (stack.get(i).name.equals(kept)) {
                while (stack.size() > i) {
                    close();
                }
                return;
            }
        }
    }

    /** Closes the top element; a link's target follows its text in the plain form when it differs. */
    private void close() {
        Frame f = stack.remove(stack.size() - 1);
        if (f.name.equals("a") && f.attributes.containsKey("href")) {
            String href = f.attributes.get("href");
            String linkText = plain.substring(f.plainStart).strip();
            String target = href.startsWith("mailto:") ? href.substring(7) : href;
            if (!linkText.equals(target) && !linkText.equals(href)) {
                // Only the plain form needs the target; the XHTML-IM form has it in the element.
                plain.append(" <").append(href).append('>');
            }
        }
        flush(f);
        flush(top());
        top().children.add(new XhtmlIm.Element(f.name, f.attributes, f.children));
    }

    /** Ends the run of text collected in a frame, so an element can follow it. */
    private static void flush(Frame f) {
        if (!f.pendingText.isEmpty()) {
            f.children.add(new XhtmlIm.Text(f.pendingText.toString()));
            f.pendingText.setLength(0);
        }
    }

    private Frame top() {
        return stack.get(stack.size() - 1);
    }

    /** Appends text with HTML's white-space collapsing to both forms. */
    private void text(String raw) {
        if (raw.isEmpty()) {
            return;
        }
        StringBuilder collapsed = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                char prev = collapsed.length() > 0 ? collapsed.charAt(collapsed.length() - 1) : lastPlain();
                if (prev != ' ' && prev != '\n') {
                    collapsed.append(' ');
                }
            } else {
                collapsed.append(c);
            }
        }
        if (collapsed.isEmpty()) {
            return;
        }
        plain.append(collapsed);
        top().pendingText.append(collapsed);
    }

    private char lastPlain() {
        return plain.isEmpty() ? '\n' : plain.charAt(plain.length() - 1);
    }

    private void newline() {
        while (!plain.isEmpty() && plain.charAt(plain.length() - 1) == ' ') {
            plain.setLength(plain.length() - 1);
        }
        if (!plain.isEmpty() && plain.charAt(plain.length() - 1) != '\n') {
            plain.append('\n');
        }
    }

    private static boolean hasScheme(String uri, Set<String> schemes) {
        int colon = uri.indexOf(':');
        return colon > 0 && schemes.contains(uri.substring(0, colon).toLowerCase(Locale.ROOT));
    }

    /** Reads a character reference at {@link #pos}; a '&' that starts none stands for itself. */
    private String entity() {
        int semi = semicolon(html, pos);
        if (semi < 0) {
            pos++;
            return "&";
        }
        String decoded = decodeReference(html.substring(pos + 1, semi));
        if (decoded == null) {
            pos++;
            return "&";
        }
        pos = semi + 1;
        return decoded;
    }

    private static String decodeEntities(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            int semi = s.charAt(i) == '&' ? semicolon(s, i) : -1;
            String decoded = semi > 0 ? decodeReference(s.substring(i + 1, semi)) : null;
            if (decoded != null) {
                sb.append(decoded);
                i = semi;
            } else {
                sb.append(s.charAt(i));
            }
        }
        return sb.toString();
    }

    /** The ';' ending a reference that starts at {@code amp}, looked for only as far as a reference can reach. */
    private static int semicolon(String s, int amp) {
        int limit = Math.min(s.length(), amp + 12);
        for (int i = amp + 1; i < limit; i++) {
            if (s.charAt(i) == ';') {
                return i;
            }
        }
        return -1;
    }

    /** A named or numeric reference, or null; code points XML cannot carry become U+FFFD. */
    private static String decodeReference(String ref) {
        if (ref.startsWith("#")) {
            int cp;
            try {
                cp = ref.length() > 1 && (ref.charAt(1) == 'x' || ref.charAt(1) == 'X')
                        ? Integer.parseInt(ref.substring(2), 16) : Integer.parseInt(ref.substring(1));
            } catch (NumberFormatException e) {
                return null;
            }
            boolean xml = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF)
                    || (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
            return new String(Character.toChars(xml ? cp : 0xFFFD));
        }
        return switch (ref) {
            case "amp" -> "&";
            case "lt" -> "<";
            case "gt" -> ">";
            case "quot" -> "\"";
            case "apos" -> "'";
            case "nbsp" -> "\u00a0";
            case "hellip" -> "\u2026";
            case "mdash" -> "\u2014";
            case "ndash" -> "\u2013";
            case "copy" -> "\u00a9";
            default -> null;
        };
    }

    /** Trailing spaces of lines and blank lines at either end go. */
    private static String tidy(StringBuilder plain) {
        String[] lines = plain.toString().split("\n", -1);
        StringBuilder out = new StringBuilder(plain.length());
        for (String line : lines) {
            out.append(line.stripTrailing()).append('\n');
        }
        return out.toString().strip();
    }
}
