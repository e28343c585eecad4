/**
 * The Message/CPIM format (RFC 3862): a strict, size-limited decoder and an encoder for the message
 * headers, their escape and language rules, and the encapsulated MIME part.
 */
package org.isthmus.mapping.document.cpim;
