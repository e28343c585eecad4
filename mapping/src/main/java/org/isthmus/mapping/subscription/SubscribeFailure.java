package org.isthmus.mapping.subscription;

/**
 * What a failure response to the gateway's SUBSCRIBE means for the XMPP authorization behind it.
 *
 * <ul>
 *   <li>{@link #PERMANENT}: 403, 489, 603, which RFC 8048 §5.2.2 says cancel the authorization, and
 *       the codes of RFC 6665 §4.1.2.2 that end a subscription because the resource or the method does
 *       not exist (404, 405, 410, 416, 484, 485, 501, 604): retrying cannot succeed;</li>
 *   <li>{@link #DIALOG_GONE}: 481, transient for RFC 8048 §5.2.2; re-subscribe in a new dialog
 *       (RFC 6665 §4.1.2.2);</li>
 *   <li>{@link #INTERVAL_TOO_BRIEF}: 423, transient for RFC 8048 §5.2.2; resend with Min-Expires;</li>
 *   <li>{@link #ENDS_SUBSCRIPTION}: the rest of RFC 6665 §4.1.2.2's list (480, 482, 483): the
 *       subscription is over but the authorization stands;</li>
 *   <li>{@link #TRANSIENT}: anything else, including 401/407 that authentication did not resolve and
 *       every 5xx: an existing subscription stays valid until it expires (RFC 6665 §4.1.2.2), and a
 *       local or network fault never cancels a user's authorization.</li>
 * </ul>
 */
enum SubscribeFailure {
    PERMANENT, DIALOG_GONE, INTERVAL_TOO_BRIEF, ENDS_SUBSCRIPTION, TRANSIENT;

    static SubscribeFailure of(int code) {
        return switch (code) {
            case 403, 489, 603, 404, 405, 410, 416, 484, 485, 501, 604 -> PERMANENT;
            case 481 -> DIALOG_GONE;
            case 423 -> INTERVAL_TOO_BRIEF;
            case 480, 482, 483 -> ENDS_SUBSCRIPTION;
            default -> TRANSIENT;
        };
    }

    /** RFC 6665 §4.2.2: a NOTIFY that fails with one of these (or times out) removes the subscription. */
    static boolean endsNotifierSubscription(int code) {
        return code == 404 || code == 405 || code == 408 || code == 410 || code == 416
                || (code >= 480 && code <= 485) || code == 489 || code == 501 || code == 604;
    }
}
