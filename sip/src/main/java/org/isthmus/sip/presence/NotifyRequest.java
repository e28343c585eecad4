package org.isthmus.sip.presence;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.message.SecuredObject;
import org.isthmus.mapping.presence.SipPresenceState;
import org.isthmus.mapping.subscription.SubscriptionState;

/**
 * A NOTIFY the edge received as subscriber (RFC 6665 §4.1.3, RFC 3856 §6.8), checked: the event is
 * {@code presence}, the Subscription-State header parses (400 otherwise), and a PIDF body parses with
 * the mapping module's hardened parser (400 otherwise, and no up-call). The gateway answers 200, or 481
 * if it has no such subscription (RFC 6665 §4.1.3).
 *
 * @param key        the dialog: the Call-ID, the To tag (the gateway's) and the From tag (the notifier's)
 * @param state      the Subscription-State
 * @param presence   the presence the body carries (From, To, Content-Language, document), if any
 * @param eventId    the Event header's {@code id} parameter, if any
 * @param cseq       the request's CSeq number
 * @param contact    the request's Contact URI (NOTIFY is a target refresh request, RFC 6665 §3.2), if any
 * @param pending    when the NOTIFY belongs to a SUBSCRIBE this edge sent in the last 64*T1 seconds
 *                   (Timer N, RFC 6665 §4.1.2.4): the dialog it creates or confirms. A NOTIFY may come
 *                   before the SUBSCRIBE's 2xx, or before the gateway has stored the dialog from it;
 *                   the gateway should then take this value instead of answering 481. Empty otherwise.
 * @param receivedAt when the edge received it
 * @param secured    the body when it is an S/MIME object (RFC 3923 §8, RFC 3856 §6.7: a signed and/or
 *                   encrypted PIDF), which the edge does not read; {@code presence} is then empty
 * @param presentity the From URI, the presentity, which a secured body does not carry readably
 * @param watcher    the To URI, the watcher
 */
public record NotifyRequest(DialogKey key, SubscriptionState state, Optional<SipPresenceState> presence,
                            Optional<String> eventId, long cseq, Optional<SipUri> contact,
                            Optional<SubscriptionDialog> pending, Instant receivedAt,
                            Optional<SecuredObject> secured, Optional<SipUri> presentity, Optional<SipUri> watcher) {
    public NotifyRequest {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(presence, "presence");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(contact, "contact");
        Objects.requireNonNull(pending, "pending");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(secured, "secured");
        Objects.requireNonNull(presentity, "presentity");
        Objects.requireNonNull(watcher, "watcher");
        if (secured.isPresent() && (presence.isPresent() || presentity.isEmpty() || watcher.isEmpty())) {
            throw new IllegalArgumentException("a secured NOTIFY has no readable presence, and names its parties");
        }
    }

    /** A NOTIFY with a PIDF body or none. */
    public NotifyRequest(DialogKey key, SubscriptionState state, Optional<SipPresenceState> presence,
                         Optional<String> eventId, long cseq, Optional<SipUri> contact,
                         Optional<SubscriptionDialog> pending, Instant receivedAt) {
        this(key, state, presence, eventId, cseq, contact, pending, receivedAt, Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /** Whether it carries a presence document, readable or secured (RFC 3856 §6.8). */
    public boolean hasBody() {
        return presence.isPresent() || secured.isPresent();
    }

    /**
     * The stored dialog updated by this NOTIFY: the remote CSeq, the remote target, and the expiry when the
     * state carries {@code expires} (the notifier's value is authoritative, RFC 6665 §4.1.3).
     *
     * @return empty if {@code stored} is another dialog, or if this CSeq is not higher than the last one
     *         received (RFC 3261 §12.2.2)
     */
    public Optional<SubscriptionDialog> dialogFor(SubscriptionDialog stored) {
        if (!stored.key().equals(key) || cseq <= stored.remoteCseq()) {
            return Optional.empty();
        }
        SubscriptionDialog d = stored.withRemoteCseq(cseq).withRemoteTarget(contact.orElse(stored.remoteTarget()));
        if (state instanceof SubscriptionState.Active a && a.expires().isPresent()) {
            d = d.withExpiresAt(receivedAt.plusSeconds(a.expires().getAsLong()));
        } else if (state instanceof SubscriptionState.Pending p && p.expires().isPresent()) {
            d = d.withExpiresAt(receivedAt.plusSeconds(p.expires().getAsLong()));
        }
        return Optional.of(d);
    }
}
