package org.isthmus.mapping.subscription;

import org.isthmus.mapping.MappingException;

/** The range check for SIP durations (RFC 3261 §20.19: 0 to 2^32-1 seconds). */
final class Durations {

    private Durations() {
    }

    static void check(long seconds, String name) {
        if (seconds < 0 || seconds > SubscriptionState.MAX_DELTA_SECONDS) {
            throw new MappingException(name + " out of range: " + seconds);
        }
    }
}
