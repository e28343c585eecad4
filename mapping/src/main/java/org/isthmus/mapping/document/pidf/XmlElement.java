package org.isthmus.mapping.document.pidf;

import java.util.ArrayList;
import java.util.List;

/**
 * One element of a parsed document, as read by {@link PidfParser}: the bounded tree the interpreter
 * walks. Built once by the parser and only read afterwards.
 */
final class XmlElement {

    /** An attribute: namespace name (empty for none), prefix (empty for none), local name and value. */
    record Attribute(String namespace, String prefix, String localName, String value) {
    }

    /** A namespace declaration made on this element: prefix (empty for the default) and name. */
    record Declaration(String prefix, String namespace) {
    }

    final String namespace;
    final String prefix;
    final String localName;
    final List<Attribute> attributes;
    final List<Declaration> declarations;
    final XmlElement parent;
    /** Child elements and text, in document order: each item is an {@link XmlElement} or a {@link String}. */
    final List<Object> children = new ArrayList<>(4);
    private StringBuilder pendingText;

    XmlElement(String namespace, String prefix, String localName, List<Attribute> attributes,
               List<Declaration> declarations, XmlElement parent) {
        this.namespace = namespace;
        this.prefix = prefix;
        this.localName = localName;
        this.attributes = attributes;
        this.declarations = declarations;
        this.parent = parent;
    }

    boolean is(String ns, String name) {
        return namespace.equals(ns) && localName.equals(name);
    }

    /** Appends character data; returns the length of the text run it belongs to. */
    int appendText(char[] chars, int start, int length) {
        if (pendingText == null) {
            pendingText = new StringBuilder(length);
        }
        pendingText.append(chars, start, length);
        return pendingText.length();
    }

    /** Ends the current text run (before a child element starts, or at the end of this element). */
    void flushText() {
        if (pendingText != null) {
            children.add(pendingText.toString());
            pendingText = null;
        }
    }

    void addChild(XmlElement child) {
        flushText();
        children.add(child);
    }

    /** The unprefixed attribute of that name, or null. */
    String attribute(String name) {
        return attribute("", name);
    }

    String attribute(String ns, String name) {
        for (Attribute a : attributes) {
            if (a.localName().equals(name) && a.namespace().equals(ns)) {
                return a.value();
            }
        }
        return null;
    }

    /** The text children concatenated (the element's simple content). */
    String text() {
        if (children.size() == 1 && children.get(0) instanceof String s) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (Object c : children) {
            if (c instanceof String s) {
                sb.append(s);
            }
        }
        return sb.toString();
    }

    List<XmlElement> elements() {
        List<XmlElement> out = new ArrayList<>(children.size());
        for (Object c : children) {
            if (c instanceof XmlElement e) {
                out.add(e);
            }
        }
        return out;
    }

    boolean hasElements() {
        for (Object c : children) {
            if (c instanceof XmlElement) {
                return true;
            }
        }
        return false;
    }

    /** The {@code xml:lang} in effect for this element: its own, or the nearest ancestor's (XML 1.0 §2.12). */
    String lang() {
        for (XmlElement e = this; e != null; e = e.parent) {
            String l = e.attribute(Namespaces.XML, "lang");
            if (l != null) {
                return l;
            }
        }
        return null;
    }
}
