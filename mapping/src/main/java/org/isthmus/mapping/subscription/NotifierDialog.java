package org.isthmus.mapping.subscription;

/**
 * A SIP watcher's subscription to an XMPP user, from the gateway's side as notifier: RFC 6665
 * §4.2.2's states ("init" and "terminated" are {@link #IDLE}; "resp_wait" does not last, as the
 * gateway answers every SUBSCRIBE at once, §4.2.1.1).
 */
public enum NotifierDialog {
    /** No subscription dialog. */
    IDLE,
    /** The XMPP user has not answered; NOTIFYs say {@code pending} and carry no presence (RFC 8048 §5.3.1). */
    PENDING,
    /** Authorized; NOTIFYs carry the user's presence (RFC 8048 §5.3.1 F32, §6.2). */
    ACTIVE
}
