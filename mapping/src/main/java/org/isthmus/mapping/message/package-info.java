/**
 * Instant messages on each side and the neutral CPIM message between them (RFC 3860, RFC 3862), with
 * the translators of RFC 7572: {@link org.isthmus.mapping.message.SipToCpim},
 * {@link org.isthmus.mapping.message.CpimToXmpp}, {@link org.isthmus.mapping.message.XmppToCpim} and
 * {@link org.isthmus.mapping.message.CpimToSip}.
 */
package org.isthmus.mapping.message;
