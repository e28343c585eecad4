package org.isthmus.sip.presence;

import java.util.Objects;
import java.util.Optional;

import org.isthmus.sip.SipOutcome;

/**
 * The outcome of a SUBSCRIBE the edge sent (RFC 6665 §4.1.2).
 *
 * @param outcome the final response (408 on timeout, 503 on a transport error). A 423 was already
 *                retried once with the notifier's Min-Expires (RFC 3261 §10.2.8 by analogy, RFC 6665
 *                §4.1.2.1), so a 423 here means the retry failed too
 * @param dialog  on 2xx: the dialog. For an initial SUBSCRIBE it is built from the 2xx (remote tag from
 *                To, remote target from Contact, route set from Record-Route reversed, RFC 3261
 *                §12.1.2) or, if a NOTIFY created it first (RFC 6665 §4.1.2.4), that dialog with the
 *                2xx's expiry; for a refresh, the dialog given with its CSeq advanced and the granted
 *                expiry. Its expiry is now plus the 2xx's Expires (§4.1.2.1). Empty otherwise
 */
public record SubscribeOutcome(SipOutcome outcome, Optional<SubscriptionDialog> dialog) {
    public SubscribeOutcome {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(dialog, "dialog");
    }

    /**
     * True if a refresh's response ends the subscription: 404, 405, 410, 416, 480 to 485, 489, 501 or 604
     * (RFC 6665 §4.1.2.2). Other failures leave it running until it expires.
     */
    public boolean subscriptionGone() {
        return Responses.endsUsage(outcome.status().code());
    }
}
