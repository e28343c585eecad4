package org.isthmus.mapping.subscription;

/** Which SUBSCRIBE the gateway sends as subscriber (RFC 6665 §4.1.2). */
public enum SubscribeKind {
    /** A new dialog with the gateway's duration (RFC 6665 §4.1.2.1, RFC 8048 §5.2.1 Example 2). */
    INITIAL,
    /** In the dialog, to extend it (RFC 6665 §4.1.2.2, RFC 8048 §5.2.2). */
    REFRESH,
    /** In the dialog with Expires 0 (RFC 6665 §4.1.2.3, RFC 8048 §5.2.3 Example 8). */
    UNSUBSCRIBE,
    /** A new dialog with Expires 0: a poll (RFC 6665 §4.4.3, RFC 8048 §7.1 Example 23). */
    FETCH
}
