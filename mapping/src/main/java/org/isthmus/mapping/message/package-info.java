/**
 * Instant messages on each side and the neutral CPIM message between them (RFC 3860, RFC 3862), with
 * the translators of RFC 7572 and RFC 3922 §4: {@link org.isthmus.mapping.message.SipToCpim},
 * {@link org.isthmus.mapping.message.CpimToXmpp}, {@link org.isthmus.mapping.message.XmppToCpim},
 * {@link org.isthmus.mapping.message.CpimToSip} and {@link org.isthmus.mapping.message.CpimWrapper}
 * for Message/CPIM bodies; texts in several languages, multipart/alternative and text/html bodies.
 */
package org.isthmus.mapping.message;
