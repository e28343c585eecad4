/**
 * Typed views of stanzas at the edge (RFC 6120 §8): {@code <message/>} to and from mapping's
 * {@code XmppMessage}, {@code <presence/>} to and from {@code XmppPresence} and {@code XmppSubscription}
 * (RFC 6121 §3, §4), stanza errors (RFC 6120 §8.3), and the IQs this edge answers itself
 * (XEP-0199 ping, XEP-0030 service discovery).
 */
package org.isthmus.xmpp.stanza;
