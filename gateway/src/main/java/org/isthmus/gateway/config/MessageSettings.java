package org.isthmus.gateway.config;

import java.time.Duration;

import org.isthmus.mapping.message.MultilingualBodies;

/**
 * How messages cross the gateway.
 *
 * @param errorWindow  how long a SIP MESSAGE's final response waits for an XMPP error before it is
 *                     answered 202 Accepted; well under SIP's first UDP retransmission (500 ms, RFC 3261 §17.1.2.2)
 * @param maxBodyBytes the largest body relayed either way; RFC 6120 §13.12 lets a server refuse stanzas
 *                     over 10,000 bytes, so the default (8,000 bytes) leaves room for the rest of the stanza
 * @param multilingual what an XMPP message with bodies in several languages becomes in SIP (RFC 7572 §8)
 */
public record MessageSettings(Duration errorWindow, int maxBodyBytes, MultilingualBodies multilingual) {
}
