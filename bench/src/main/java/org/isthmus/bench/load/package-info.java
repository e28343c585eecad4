/**
 * The end-to-end load driver of issue 7: Prosody, the built Isthmus jar and SIPp on loopback, a
 * pipelining XMPP client of our own, the no-gateway ceilings, and the same work through Kamailio's
 * SIP⇄XMPP gateway (its xmpp module) for the Isthmus/Kamailio ratios, run from {@code bench/run-load.sh}
 * ({@link org.isthmus.bench.load.LoadDriver}); see bench/README.md.
 */
package org.isthmus.bench.load;
