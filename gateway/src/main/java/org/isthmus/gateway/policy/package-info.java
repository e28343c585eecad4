/**
 * Abuse limits and partner policy at the gateway's door: token buckets per SIP source, XMPP domain and
 * XMPP user, with bounded memory, and the {@link org.isthmus.gateway.policy.PolicyGate} that applies
 * them, and the per-partner rules, to everything the edges hand up, before the router sees it.
 */
package org.isthmus.gateway.policy;
