package org.isthmus.mapping.document.pidf;

import java.util.Objects;

/**
 * An extension element this package does not interpret, kept whole so that it survives a round trip
 * (RFC 3863 §4.2.3: a processor ignores what it does not recognize, but a gateway or compositor that
 * passes the document on keeps it). The XML is self-contained: it declares every namespace prefix it
 * uses, so it can be written under any parent.
 *
 * @param namespace the namespace name of the element (empty for no namespace)
 * @param localName the local name of the element
 * @param xml       the element serialized as XML, with its namespace declarations
 */
public record XmlFragment(String namespace, String localName, String xml) {
    public XmlFragment {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(localName, "localName");
        Objects.requireNonNull(xml, "xml");
    }
}
