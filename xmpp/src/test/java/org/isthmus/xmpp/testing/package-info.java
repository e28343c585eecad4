/**
 * Test support shipped in the xmpp test-jar: a loopback XEP-0114 server endpoint that tests of this
 * module and of the gateway connect a component link to, an {@code XmppHandler} that records its
 * up-calls, and test certificates (RFC 6120 §13.7) made with Bouncy Castle for server-to-server tests.
 */
package org.isthmus.xmpp.testing;
