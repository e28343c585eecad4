/**
 * The real-peer test harness: Prosody and ejabberd (XMPP servers, as component host and s2s peers),
 * Kamailio (SIP proxy and registrar), SIPp and baresip (SIP user agents) and a slixmpp client, each
 * started on loopback by the interop tests (tag {@code interop}, run with {@code mvn verify -Pinterop}).
 * Without the profile they do not run; with it a missing peer fails the test rather than skipping it.
 */
package org.isthmus.gateway.interop;
