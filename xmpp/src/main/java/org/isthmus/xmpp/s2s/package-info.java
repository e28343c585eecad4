/**
 * Server-to-server federation (RFC 6120 §13–§14): inbound and outbound XML streams between Isthmus's
 * domains and peer XMPP domains, secured with STARTTLS or direct TLS (RFC 6120 §5, XEP-0368) and
 * authenticated with SASL EXTERNAL (RFC 6120 §6, XEP-0178) or Server Dialback (XEP-0220).
 */
package org.isthmus.xmpp.s2s;
