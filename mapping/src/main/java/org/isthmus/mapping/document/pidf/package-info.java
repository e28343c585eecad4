/**
 * The Presence Information Data Format, {@code application/pidf+xml} (RFC 3863), with the data-model
 * elements person and device (RFC 4479) and the rich presence extensions of RPID (RFC 4480): an
 * immutable document model, a hardened StAX parser ({@link org.isthmus.mapping.document.pidf.PidfParser})
 * and a namespace-correct writer ({@link org.isthmus.mapping.document.pidf.PidfWriter}). Extension
 * elements this package does not interpret are kept as opaque XML fragments so that a document
 * survives a round trip (RFC 3863 §4.2.3).
 */
package org.isthmus.mapping.document.pidf;
