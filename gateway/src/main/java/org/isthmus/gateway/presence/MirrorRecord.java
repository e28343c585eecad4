package org.isthmus.gateway.presence;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.subscription.MirrorState;
import org.isthmus.sip.presence.SubscriptionDialog;

/**
 * The durable part of one mirrored pair, an XMPP user and a SIP contact: what a restarted or sibling
 * node needs to carry both subscriptions on (DESIGN.md "Dialogs are ours"). Written to the store
 * before the SIP or XMPP side is answered.
 *
 * @param user               the XMPP user's bare JID
 * @param contactJid         the SIP contact's bare JID as the user's server knows it
 * @param userUri            the user's SIP address (watcher of the gateway's SUBSCRIBEs, presentity of its NOTIFYs)
 * @param contactUri         the contact's SIP address of record
 * @param state              the RFC 6121 × RFC 6665 state of both directions
 * @param generation         counts the gateway's initial SUBSCRIBEs for the pair, so that the outcome of
 *                           a superseded one is recognised (RFC 6665 §4.1.2.4: a new dialog replaces it)
 * @param subscriber         the dialog in which the gateway subscribes to the contact, once known
 * @param notifier           the dialog in which the gateway notifies the contact, once created
 * @param refreshAt          when to refresh the gateway's subscription
 * @param retryAt            when to subscribe again after a failure
 * @param subscriberDeadline when the gateway's subscription is over without a NOTIFY or refresh (Timer N,
 *                           RFC 6665 §4.1.2.4, or its expiry, §4.1.2.2)
 * @param notifierExpiry     when the contact's subscription expires unless refreshed (RFC 6665 §4.2.1.4)
 * @param owner              the node that holds the pair when several share the store; empty for one node
 */
public record MirrorRecord(Jid user, Jid contactJid, SipUri userUri, SipUri contactUri, MirrorState state,
                           long generation, Optional<SubscriptionDialog> subscriber,
                           Optional<SubscriptionDialog> notifier, Optional<Instant> refreshAt,
                           Optional<Instant> retryAt, Optional<Instant> subscriberDeadline,
                           Optional<Instant> notifierExpiry, String owner) {

    public MirrorRecord {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(contactJid, "contactJid");
        Objects.requireNonNull(userUri, "userUri");
        Objects.requireNonNull(contactUri, "contactUri");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(subscriber, "subscriber");
        Objects.requireNonNull(notifier, "notifier");
        Objects.requireNonNull(refreshAt, "refreshAt");
        Objects.requireNonNull(retryAt, "retryAt");
        Objects.requireNonNull(subscriberDeadline, "subscriberDeadline");
        Objects.requireNonNull(notifierExpiry, "notifierExpiry");
        Objects.requireNonNull(owner, "owner");
        if (!user.isBare() || !contactJid.isBare()) {
            throw new IllegalArgumentException("a pair is of bare JIDs: " + user + ", " + contactJid);
        }
    }

    /** A pair the gateway has not seen before. */
    public static MirrorRecord fresh(Jid user, Jid contactJid, SipUri userUri, SipUri contactUri) {
        return new MirrorRecord(user, contactJid, userUri, contactUri, MirrorState.NONE, 0, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), "");
    }

    /** The store's name for a pair: the user, a space, the contact's address of record. */
    public static String name(Jid user, SipUri contactUri) {
        return user + " " + contactUri;
    }

    /** This pair's store name. */
    public String name() {
        return name(user, contactUri);
    }

    /** True when there is nothing left to remember: no subscription either way, no dialog. */
    public boolean isEmpty() {
        return state.isNone() && subscriber.isEmpty() && notifier.isEmpty();
    }

    MirrorRecord withState(MirrorState s) {
        return new MirrorRecord(user, contactJid, userUri, contactUri, s, generation, subscriber, notifier, refreshAt,
                retryAt, subscriberDeadline, notifierExpiry, owner);
    }

    MirrorRecord withGeneration(long g) {
        return new MirrorRecord(user, contactJid, userUri, contactUri, state, g, subscriber, notifier, refreshAt,
                retryAt, subscriberDeadline, notifierExpiry, owner);
    }

    MirrorRecord withSubscriber(Optional<SubscriptionDialog> d) {
        return new MirrorRecord(user, contactJid, userUri, contactUri, state, generation, d, notifier, refreshAt,
                retryAt, subscriberDeadline, notifierExpiry, owner);
    }

    MirrorRecord withNotifier(Optional<SubscriptionDialog> d) {
        return new MirrorRecord(user, contactJid, userUri, contactUri, state, generation, subscriber, d, refreshAt,
                retryAt, subscriberDeadline, notifierExpiry, owner);
    }

    MirrorRecord withTimer(MirrorTimer timer, Optional<Instant> at) {
        return new MirrorRecord(user, contactJid, userUri, contactUri, state, generation, subscriber, notifier,
                timer == MirrorTimer.REFRESH ? at : refreshAt,
                timer == MirrorTimer.RETRY ? at : retryAt,
                timer == MirrorTimer.SUBSCRIBER_DEADLINE ? at : subscriberDeadline,
                timer == MirrorTimer.NOTIFIER_EXPIRY ? at : notifierExpiry, owner);
    }

    MirrorRecord withOwner(String node) {
        return new MirrorRecord(user, contactJid, userUri, contactUri, state, generation, subscriber, notifier, refreshAt,
                retryAt, subscriberDeadline, notifierExpiry, node);
    }

    /** When {@code timer} is due, if it is set. */
    Optional<Instant> due(MirrorTimer timer) {
        return switch (timer) {
            case REFRESH -> refreshAt;
            case RETRY -> retryAt;
            case SUBSCRIBER_DEADLINE -> subscriberDeadline;
            case NOTIFIER_EXPIRY -> notifierExpiry;
        };
    }
}
