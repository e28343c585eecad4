/**
 * The real-peer test harness: Prosody, SIPp and a slixmpp client, started on loopback by the
 * interop tests (tag {@code interop}, run with {@code mvn verify -Pinterop}) and skipped where the
 * peers are not installed.
 */
package org.isthmus.gateway.interop;
