package org.isthmus.mapping.subscription;

/**
 * What the body of a NOTIFY the gateway sends carries; the document itself is the presence
 * translator's work (RFC 8048 §6).
 */
public enum NotifyBody {
    /** No body: RFC 8048 §5.3.1 Examples 14 and 16, and whenever presence must not be revealed. */
    NONE,
    /**
     * The presentity's last known presence for this watcher, or no body if none is known
     * (RFC 8048 §5.3.2: the NOTIFY is empty when the gateway has no meaningful information).
     */
    CURRENT,
    /** A document with basic status {@code closed} (RFC 8048 §5.3.3 step 1). */
    CLOSED
}
