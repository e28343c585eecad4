package org.isthmus.xmpp.stream;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable XML element as XMPP uses it: namespace, local name, attributes, child elements and the
 * element's own character data.
 *
 * <p>Mixed content is flattened: {@code text} is all character data directly inside this element,
 * concatenated, and the writer puts it before the children. Stanza payloads that XMPP core and the
 * gateway read ({@code <body/>}, {@code <subject/>}, {@code <thread/>}, errors) are text-only leaves
 * (RFC 6121 §5.2), so nothing they carry is lost.
 *
 * <p>Attribute names are the local name for unqualified attributes, {@code xml:lang}-style names for
 * the {@code xml} prefix (RFC 6120 §4.7.4), and {@code {namespace}local} for any other namespace.
 *
 * @param namespace  the element's namespace name, empty for none
 * @param name       the local name
 * @param attributes the attributes in document order
 * @param children   the child elements in document order
 * @param text       the character data directly inside the element, empty for none
 */
public record XmlElement(String namespace, String name, Map<String, String> attributes,
                         List<XmlElement> children, String text) {

    /** The attribute name of the stanza language (RFC 6120 §4.7.4, §8.1.5). */
    public static final String XML_LANG = "xml:lang";

    public XmlElement {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(attributes, "attributes");
        Objects.requireNonNull(children, "children");
        Objects.requireNonNull(text, "text");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty element name");
        }
        // Copies keep document order, which makes written stanzas predictable for tests and logs.
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        children = List.copyOf(children);
    }

    /** A builder for an element in {@code namespace} named {@code name}. */
    public static Builder builder(String namespace, String name) {
        return new Builder(namespace, name);
    }

    /** The value of an attribute, if present. */
    public Optional<String> attribute(String attributeName) {
        return Optional.ofNullable(attributes.get(attributeName));
    }

    /** The first child with this namespace and local name, if any. */
    public Optional<XmlElement> child(String childNamespace, String childName) {
        for (XmlElement c : children) {
            if (c.is(childNamespace, childName)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Every child with this namespace and local name, in document order. */
    public List<XmlElement> children(String childNamespace, String childName) {
        List<XmlElement> found = new ArrayList<>();
        for (XmlElement c : children) {
            if (c.is(childNamespace, childName)) {
                found.add(c);
            }
        }
        return found;
    }

    /** Whether this element has the given namespace and local name. */
    public boolean is(String elementNamespace, String elementName) {
        return namespace.equals(elementNamespace) && name.equals(elementName);
    }

    /** The element written as XML, its namespace declared unless it equals {@code inheritedNamespace}. */
    public String toXml(String inheritedNamespace) {
        return XmlWriter.toXml(this, inheritedNamespace);
    }

    /** Collects the parts of an {@link XmlElement}; not thread-safe, use once. */
    public static final class Builder {
        private final String namespace;
        private final String name;
        private final Map<String, String> attributes = new LinkedHashMap<>();
        private final List<XmlElement> children = new ArrayList<>();
        private final StringBuilder text = new StringBuilder();

        private Builder(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }

        /** Sets an attribute; a later value for the same name replaces the earlier one. */
        public Builder attribute(String attributeName, String value) {
            attributes.put(Objects.requireNonNull(attributeName, "attributeName"),
                    Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Sets an attribute when the value is present. */
        public Builder attribute(String attributeName, Optional<String> value) {
            value.ifPresent(v -> attribute(attributeName, v));
            return this;
        }

        /** Appends a child element. */
        public Builder child(XmlElement child) {
            children.add(Objects.requireNonNull(child, "child"));
            return this;
        }

        /** Appends character data. */
        public Builder text(CharSequence characters) {
            text.append(characters);
            return this;
        }

        /** The element. */
        public XmlElement build() {
            return new XmlElement(namespace, name, attributes, children, text.toString());
        }
    }
}
