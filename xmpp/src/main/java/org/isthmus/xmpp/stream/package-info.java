/**
 * XML streams (RFC 6120 §4): a non-blocking decoder that turns bytes into stream events and stanza
 * element trees under size, depth and attribute limits, the element tree itself, its serializer and
 * stream errors (RFC 6120 §4.9).
 */
package org.isthmus.xmpp.stream;
