package org.isthmus.mapping.message;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The content of an XHTML-IM {@code <body/>} (XEP-0071): elements of the XHTML-IM Integration Set
 * and text, the form RFC 7572 §7 requires for a {@code text/html} body a gateway passes on.
 *
 * @param content the children of the XHTML {@code <body/>} element, in order
 */
public record XhtmlIm(List<XhtmlIm.Node> content) {

    /** The namespace of the {@code <html/>} wrapper (XEP-0071 §4). */
    public static final String NAMESPACE = "http://jabber.org/protocol/xhtml-im";
    /** The namespace of the XHTML {@code <body/>} and its content. */
    public static final String XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml";

    /** The elements of the XHTML-IM Integration Set (XEP-0071 §7) this gateway writes. */
    static final Set<String> ELEMENTS = Set.of("a", "blockquote", "br", "cite", "em", "img", "li", "ol", "p",
            "span", "strong", "ul");

    public XhtmlIm {
        content = List.copyOf(content);
    }

    /** An element or a run of text. */
    public sealed interface Node permits Element, Text {
    }

    /**
     * An element of the Integration Set.
     *
     * @param name       the local name, one of the Integration Set
     * @param attributes the attributes, in order
     * @param children   the content, in order
     */
    public record Element(String name, Map<String, String> attributes, List<Node> children) implements Node {
        public Element {
            Objects.requireNonNull(name, "name");
            if (!ELEMENTS.contains(name)) {
                throw new IllegalArgumentException("not an XHTML-IM Integration Set element: " + name);
            }
            attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
            children = List.copyOf(children);
        }
    }

    /**
     * Character data.
     *
     * @param text the text, never empty
     */
    public record Text(String text) implements Node {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }
}
