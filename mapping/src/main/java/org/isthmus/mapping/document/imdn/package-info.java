/**
 * The Instant Message Disposition Notification payload, {@code message/imdn+xml} (RFC 5438 §11): an
 * immutable document, a hardened StAX parser and a writer that follows the schema of §11.1.9.
 */
package org.isthmus.mapping.document.imdn;
