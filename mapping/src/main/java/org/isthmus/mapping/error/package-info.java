/**
 * Error vocabularies and the RFC 7247 §7 tables between them: XMPP stanza error conditions
 * (RFC 6120 §8.3) and SIP response codes (RFC 3261 §21).
 */
package org.isthmus.mapping.error;
