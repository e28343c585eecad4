package org.isthmus.gateway.presence;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.pidf.PresenceDocument;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.SecuredObject;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.subscription.SubscriptionState;
import org.isthmus.mapping.subscription.XmppSubscription;
import org.isthmus.sip.SipOutcome;
import org.isthmus.sip.SipTarget;
import org.isthmus.sip.presence.NotifyOutcome;
import org.isthmus.sip.presence.SubscribeOutcome;
import org.isthmus.sip.presence.SubscriptionDialog;

/**
 * What the mirror sends through the edges, and how it finds a SIP user; the gateway wires it to the
 * XMPP links, the SIP edge and the router. Every method returns at once; futures complete on the
 * edges' threads.
 */
public interface PresenceLinks {

    /** A presence stanza on the XMPP link that serves its sender's domain; fails when that link is down. */
    CompletableFuture<Void> sendPresence(XmppPresence presence);

    /** A subscription stanza, as {@link #sendPresence}. */
    CompletableFuture<Void> sendSubscription(XmppSubscription subscription);

    /** A SUBSCRIBE that starts a dialog ({@code expires} 0: a fetch), as the SIP edge's {@code sendSubscribe}. */
    CompletableFuture<SubscribeOutcome> subscribe(SipUri presentity, SipUri watcher, long expires, SipTarget target);

    /** A SUBSCRIBE in a stored dialog ({@code expires} 0 ends it), as the SIP edge's {@code refreshSubscribe}. */
    CompletableFuture<SubscribeOutcome> refresh(SubscriptionDialog dialog, long expires);

    /** A NOTIFY in a stored notifier dialog, as the SIP edge's {@code sendNotify}. */
    CompletableFuture<NotifyOutcome> notify(SubscriptionDialog dialog, SubscriptionState state,
                                            Optional<PresenceDocument> document);

    /**
     * A NOTIFY in a stored notifier dialog whose body is an end-to-end secured PIDF (RFC 3923 §8), as the
     * SIP edge's {@code sendNotify} with an S/MIME object. Links that cannot send one answer 501.
     */
    default CompletableFuture<NotifyOutcome> notifySecured(SubscriptionDialog dialog, SubscriptionState state,
                                                           SecuredObject object, Optional<String> authenticationResults) {
        return CompletableFuture.completedFuture(new NotifyOutcome(SipOutcome.of(SipStatus.of(501)), dialog));
    }

    /** Where requests for a SIP user go: a registered contact or a route; rejected when there is none. */
    Mapped<SipTarget> route(SipUri contact);
}
