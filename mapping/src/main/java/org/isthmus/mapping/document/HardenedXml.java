package org.isthmus.mapping.document;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;

/**
 * The StAX configuration every XML document parser in this module reads with: the JDK's own
 * implementation, namespace-aware, with DTD support, external entities and entity replacement all
 * turned off and a resolver that refuses anything external. Parsers still refuse the DTD and entity
 * reference events themselves, and keep their own limits on size, depth and counts.
 */
public final class HardenedXml {

    private HardenedXml() {
    }

    /** A newly configured factory; safe to share for creating readers once returned. */
    public static XMLInputFactory inputFactory() {
        // The JDK's own implementation, not whatever ServiceLoader finds first on the class path.
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setProperty(XMLInputFactory.IS_COALESCING, false);
        f.setXMLResolver((publicId, systemId, baseUri, ns) -> {
            throw new XMLStreamException("external entities are not resolved");
        });
        return f;
    }
}
