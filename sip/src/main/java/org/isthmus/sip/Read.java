package org.isthmus.sip;

import java.util.Objects;

import org.isthmus.mapping.error.SipStatus;

/**
 * The result of reading a received request into the gateway's values: the value, or the status the
 * edge answers with itself.
 *
 * @param <T> the type of the value
 */
sealed interface Read<T> {

    /** The request was read. */
    record Ok<T>(T value) implements Read<T> {
        public Ok {
            Objects.requireNonNull(value, "value");
        }
    }

    /** The request is refused with {@code status}, which the edge sends. */
    record Refused<T>(SipStatus status) implements Read<T> {
        public Refused {
            Objects.requireNonNull(status, "status");
        }
    }
}
