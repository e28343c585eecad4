package org.isthmus.xmpp.stream;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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
        // Copies keep document order, which makes written stanzas predictable for tests and logs. The
        // builder's map is already such a copy: taking it as it is saves two maps a decoded element (issue 7).
        attributes = attributes instanceof Attributes frozen ? frozen : Attributes.copyOf(attributes);
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
        /** Names and values, alternating, in the order first set. */
        private String[] attributes = NO_STRINGS;
        private int attributeCount;
        private List<XmlElement> children = List.of();
        /** The character data while it is one run (the usual leaf), then {@link #moreText} holds it all. */
        private String text = "";
        private StringBuilder moreText;

        private Builder(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }

        /** Sets an attribute; a later value for the same name replaces the earlier one. */
        public Builder attribute(String attributeName, String value) {
            Objects.requireNonNull(attributeName, "attributeName");
            Objects.requireNonNull(value, "value");
            for (int i = 0; i < attributeCount * 2; i += 2) {
                if (attributes[i].equals(attributeName)) {
                    attributes[i + 1] = value;
                    return this;
                }
            }
            if (attributeCount * 2 == attributes.length) {
                attributes = Arrays.copyOf(attributes, Math.max(8, attributes.length * 2));
            }
            attributes[attributeCount * 2] = attributeName;
            attributes[attributeCount * 2 + 1] = value;
            attributeCount++;
            return this;
        }

        /** Sets an attribute when the value is present. */
        public Builder attribute(String attributeName, Optional<String> value) {
            value.ifPresent(v -> attribute(attributeName, v));
            return this;
        }

        /** Appends a child element. */
        public Builder child(XmlElement child) {
            Objects.requireNonNull(child, "child");
            if (children.isEmpty()) {
                children = new ArrayList<>(4);
            }
            children.add(child);
            return this;
        }

        /** Appends character data. */
        public Builder text(CharSequence characters) {
            if (moreText != null) {
                moreText.append(characters);
            } else if (text.isEmpty()) {
                text = characters.toString();
            } else if (characters.length() > 0) {
                moreText = new StringBuilder(text).append(characters);
            }
            return this;
        }

        /** The element. */
        public XmlElement build() {
            return new XmlElement(namespace, name,
                    new Attributes(Arrays.copyOf(attributes, attributeCount * 2)), children,
                    moreText == null ? text : moreText.toString());
        }
    }

    private static final String[] NO_STRINGS = new String[0];

    /**
     * The attributes of an element: immutable, in document order, names and values in one array. Elements
     * carry a handful of attributes (at most the decoder's limit), so a scan finds one faster than a hash.
     */
    private static final class Attributes extends AbstractMap<String, String> {

        /** Names and values, alternating; never changed after construction. */
        private final String[] entries;

        private Attributes(String[] entries) {
            this.entries = entries;
        }

        static Attributes copyOf(Map<String, String> attributes) {
            String[] entries = new String[attributes.size() * 2];
            int i = 0;
            for (Map.Entry<String, String> e : attributes.entrySet()) {
                entries[i++] = Objects.requireNonNull(e.getKey(), "attribute name");
                entries[i++] = Objects.requireNonNull(e.getValue(), "attribute value");
            }
            return new Attributes(entries);
        }

        @Override
        public String get(Object key) {
            for (int i = 0; i < entries.length; i += 2) {
                if (entries[i].equals(key)) {
                    return entries[i + 1];
                }
            }
            return null;
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null;
        }

        @Override
        public int size() {
            return entries.length / 2;
        }

        @Override
        public Set<Map.Entry<String, String>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Map.Entry<String, String>> iterator() {
                    return new Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < entries.length;
                        }

                        @Override
                        public Map.Entry<String, String> next() {
                            if (next >= entries.length) {
                                throw new NoSuchElementException();
                            }
                            Map.Entry<String, String> e = new SimpleImmutableEntry<>(entries[next], entries[next + 1]);
                            next += 2;
                            return e;
                        }
                    };
                }

                @Override
                public int size() {
                    return entries.length / 2;
                }
            };
        }
    }
}
