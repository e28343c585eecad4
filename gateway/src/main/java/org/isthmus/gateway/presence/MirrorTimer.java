package org.isthmus.gateway.presence;

import org.isthmus.mapping.subscription.MirrorEvent;

/** The mirror's clock events, one due time each per pair in {@link MirrorRecord}. */
enum MirrorTimer {
    /** {@link MirrorEvent.RefreshDue}. */
    REFRESH,
    /** {@link MirrorEvent.RetryDue}. */
    RETRY,
    /** {@link MirrorEvent.SubscriberTimedOut}. */
    SUBSCRIBER_DEADLINE,
    /** {@link MirrorEvent.NotifierExpired}. */
    NOTIFIER_EXPIRY;

    MirrorEvent event() {
        return switch (this) {
            case REFRESH -> new MirrorEvent.RefreshDue();
            case RETRY -> new MirrorEvent.RetryDue();
            case SUBSCRIBER_DEADLINE -> new MirrorEvent.SubscriberTimedOut();
            case NOTIFIER_EXPIRY -> new MirrorEvent.NotifierExpired();
        };
    }
}
