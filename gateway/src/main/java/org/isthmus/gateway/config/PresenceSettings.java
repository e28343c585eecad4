package org.isthmus.gateway.config;

import java.time.Duration;

/**
 * How the presence subscription mirror behaves (DESIGN.md "SubscriptionMirror").
 *
 * @param enabled          whether presence crosses the gateway at all; when false every SUBSCRIBE gets
 *                         489 Bad Event (RFC 6665 §8.3.2) and XMPP subscription stanzas are ignored
 * @param subscribeExpires the Expires the gateway asks for in its own SUBSCRIBEs, in seconds
 *                         (RFC 6665 §4.1.2.1; RFC 3856 §6.4 suggests 3600)
 * @param retryInitial     the first wait before re-subscribing after a failure without Retry-After
 * @param retryMax         the longest such wait; the wait doubles (with jitter) up to it
 * @param coalesce         presence changes for one watcher within this interval are sent as one
 *                         NOTIFY with the latest state, so a flapping contact cannot flood SIP
 * @param restoreRate      at most this many refreshes and probes a second when restoring subscriptions
 *                         after a restart or a takeover, so that they never arrive as a burst
 */
public record PresenceSettings(boolean enabled, long subscribeExpires, Duration retryInitial, Duration retryMax,
                               Duration coalesce, int restoreRate) {

    /** The defaults that conf/gateway.yaml documents. */
    public static PresenceSettings defaults() {
        return new PresenceSettings(true, 3600, Duration.ofSeconds(30), Duration.ofMinutes(30),
                Duration.ofMillis(500), 50);
    }
}
