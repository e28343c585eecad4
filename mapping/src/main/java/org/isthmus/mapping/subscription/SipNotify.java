package org.isthmus.mapping.subscription;

import java.util.Objects;

import org.isthmus.mapping.address.SipUri;

/**
 * The subscription side of a NOTIFY the gateway sends as notifier (RFC 6665 §4.2.2): the state for the
 * Subscription-State header and what the body carries.
 *
 * @param watcher    the subscriber the NOTIFY goes to
 * @param presentity the resource it reports on
 * @param state      the Subscription-State
 * @param body       what the body carries
 */
public record SipNotify(SipUri watcher, SipUri presentity, SubscriptionState state, NotifyBody body) {
    public SipNotify {
        Objects.requireNonNull(watcher, "watcher");
        Objects.requireNonNull(presentity, "presentity");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(body, "body");
    }
}
