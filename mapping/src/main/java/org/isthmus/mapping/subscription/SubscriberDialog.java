package org.isthmus.mapping.subscription;

/**
 * The gateway's SIP subscription to a SIP contact on behalf of an XMPP user, from the subscriber's
 * side: RFC 6665 §4.1.2's states, with the waits the gateway adds around them.
 */
public enum SubscriberDialog {
    /** No subscription ("init" or "terminated", RFC 6665 §4.1.2). */
    IDLE,
    /** An initial SUBSCRIBE is out; neither a 2xx nor a NOTIFY has confirmed the dialog ("notify_wait"). */
    SUBSCRIBING,
    /** The 2xx came, the first NOTIFY has not ("notify_wait", RFC 6665 §4.1.2.4). */
    NOTIFY_WAIT,
    /** The notifier has not decided yet ("pending"; RFC 8048 §5.2.1: no presence to the user). */
    PENDING,
    /** Authorized; NOTIFYs carry presence ("active"). */
    ACTIVE,
    /** The user unsubscribed while the initial SUBSCRIBE was unconfirmed; Expires 0 follows once the dialog exists. */
    CANCELLING,
    /** SUBSCRIBE Expires 0 sent in the dialog (RFC 8048 §5.2.3 F17); awaiting its 2xx or the final NOTIFY. */
    UNSUBSCRIBING,
    /** Terminated; a new subscription waits for {@code retry-after} or the gateway's back-off (RFC 6665 §4.1.3). */
    RETRY_WAIT,
    /** Terminated with {@code invariant}: authorized, state will not change, no re-subscription (RFC 6665 §4.1.3). */
    DORMANT
}
