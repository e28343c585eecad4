package org.isthmus.mapping.document;

import org.isthmus.mapping.MappingException;

/**
 * The bounds a document parser holds hostile XML to, each at least 1.
 *
 * @param maxBytes      largest document, in bytes
 * @param maxDepth      deepest element nesting (the root is depth 1)
 * @param maxElements   most elements in a document
 * @param maxAttributes most attributes and namespace declarations on one element
 * @param maxTextLength longest text value or attribute value, in characters
 */
public record XmlLimits(int maxBytes, int maxDepth, int maxElements, int maxAttributes, int maxTextLength) {

    public XmlLimits {
        if (maxBytes < 1 || maxDepth < 1 || maxElements < 1 || maxAttributes < 1 || maxTextLength < 1) {
            throw new MappingException("XML limits must be positive");
        }
    }

    /** A copy with another size limit, e.g. to let a test reach one of the other limits first. */
    public XmlLimits withMaxBytes(int bytes) {
        return new XmlLimits(bytes, maxDepth, maxElements, maxAttributes, maxTextLength);
    }
}
