package org.isthmus.sip.presence;

import java.util.Objects;

import org.isthmus.sip.SipOutcome;

/**
 * The outcome of a NOTIFY the edge sent, and the dialog after it.
 *
 * @param outcome the final response (408 on timeout, 503 on a transport error)
 * @param dialog  the dialog with its local CSeq advanced to the one the NOTIFY carried (one more than
 *                before, or two after a digest challenge); store it
 */
public record NotifyOutcome(SipOutcome outcome, SubscriptionDialog dialog) {
    public NotifyOutcome {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(dialog, "dialog");
    }

    /**
     * True if the watcher no longer has the subscription and the notifier must remove it: a 404, 405, 410,
     * 416, 480 to 485, 489, 501 or 604 response (RFC 6665 §4.2.2), 481 being the common one.
     */
    public boolean subscriptionGone() {
        return Responses.endsUsage(outcome.status().code());
    }
}
