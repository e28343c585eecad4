package org.isthmus.sip.presence;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.subscription.SipSubscribe;

/**
 * A presence SUBSCRIBE the edge received and checked (RFC 6665 §4.2.1, RFC 3856 §6): the event is
 * {@code presence}, the Accept header allows PIDF, and the Expires header is within the limits. The
 * gateway answers it with a {@link SubscribeDecision}; the edge then sends the 200 (never 202, RFC 6665
 * §8.3.1) and the first NOTIFY at once (§4.2.1.4).
 *
 * <p>The dialog lives in the gateway's store. A request that creates a dialog (a new subscription, or a
 * fetch when {@code expires} is 0, §4.4.3) comes with {@link #created()}. A request inside a dialog (a
 * refresh, or an unsubscribe when {@code expires} is 0, §4.1.2.2, §4.1.2.3) comes with
 * {@link #existing()}: the gateway looks the dialog up, answers 481 if it has none (§4.2.1.2), and
 * otherwise accepts with {@link #dialogFor(SubscriptionDialog)}.
 *
 * @param subscribe  the request as the mapping module sees it (watcher, presentity, Expires asked for)
 * @param existing   the dialog a request with a To tag names; empty for one that creates a dialog
 * @param created    for a request that creates a dialog: the dialog, with the gateway's To tag, as it
 *                   is once the first NOTIFY (CSeq {@code localCseq}) is sent; store it before accepting
 * @param expires    the subscription duration the edge grants in seconds: the request's (or the
 *                   package default, RFC 3856 §6.4) capped at the configured maximum; 0 ends it
 * @param cseq       the request's CSeq number
 * @param contact    the request's Contact URI (the new remote target, RFC 6665 §3.1.4), if any
 * @param receivedAt when the edge received it
 */
public record SubscribeRequest(SipSubscribe subscribe, Optional<DialogKey> existing,
                               Optional<SubscriptionDialog> created, long expires, long cseq,
                               Optional<SipUri> contact, Instant receivedAt) {
    public SubscribeRequest {
        Objects.requireNonNull(subscribe, "subscribe");
        Objects.requireNonNull(existing, "existing");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(contact, "contact");
        Objects.requireNonNull(receivedAt, "receivedAt");
        if (existing.isPresent() == created.isPresent()) {
            throw new IllegalArgumentException("a SUBSCRIBE is either in a dialog or creates one");
        }
        if (expires < 0) {
            throw new IllegalArgumentException("expires is negative");
        }
    }

    /** Expires 0 in a new dialog: a one-time poll; the dialog ends with the first NOTIFY (RFC 6665 §4.4.3). */
    public boolean isFetch() {
        return expires == 0 && created.isPresent();
    }

    /** Expires 0 in the dialog: the watcher ends the subscription (RFC 6665 §4.1.2.3). */
    public boolean isUnsubscribe() {
        return expires == 0 && existing.isPresent();
    }

    /**
     * The stored dialog updated by this in-dialog request, as it is once the NOTIFY that answers it is sent:
     * the remote CSeq, the remote target (a target refresh), the new expiry, the local CSeq one higher.
     *
     * @return empty if {@code stored} is another dialog, or if this request's CSeq is not higher than the
     *         last one received (RFC 3261 §12.2.2: answer it 500)
     */
    public Optional<SubscriptionDialog> dialogFor(SubscriptionDialog stored) {
        if (existing.isEmpty() || !stored.key().equals(existing.get()) || cseq <= stored.remoteCseq()) {
            return Optional.empty();
        }
        return Optional.of(stored.withRemoteCseq(cseq).withRemoteTarget(contact.orElse(stored.remoteTarget()))
                .withExpiresAt(receivedAt.plusSeconds(expires)).next());
    }
}
