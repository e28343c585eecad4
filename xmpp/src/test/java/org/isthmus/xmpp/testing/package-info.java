/**
 * Test support shipped in the xmpp test-jar: a loopback XEP-0114 server endpoint that tests of this
 * module and of the gateway connect a component link to.
 */
package org.isthmus.xmpp.testing;
