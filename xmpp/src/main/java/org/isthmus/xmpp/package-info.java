/**
 * The XMPP edge of Isthmus: the external component link of XEP-0114 and the up-call interface the
 * gateway implements. Raw XML and Netty stay inside this module; the gateway sees mapping values only.
 */
package org.isthmus.xmpp;
