package org.isthmus.sip.presence;

/** Status codes with a meaning for the subscription itself. */
final class Responses {

    private Responses() {
    }

    /**
     * The responses to an in-dialog SUBSCRIBE or NOTIFY after which the subscription is over: 404, 405, 410,
     * 416, 480 to 485, 489, 501, 604 (RFC 6665 §4.1.2.2 for the subscriber, §4.2.2 for the notifier).
     */
    static boolean endsUsage(int code) {
        return code == 404 || code == 405 || code == 410 || code == 416 || (code >= 480 && code <= 485)
                || code == 489 || code == 501 || code == 604;
    }
}
