package org.isthmus.sip.presence;

import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.document.pidf.PresenceDocument;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.subscription.SubscriptionState;

/** The gateway's answer to a {@link SubscribeRequest} (RFC 6665 §4.2.1). */
public sealed interface SubscribeDecision {

    /**
     * Accept: the edge answers 200 with the granted Expires and sends the first NOTIFY in {@code dialog}
     * with CSeq {@code dialog.localCseq()} (RFC 6665 §4.2.1.4). When the request's Expires is 0 (fetch,
     * unsubscribe) the NOTIFY says {@code terminated;reason=timeout} unless {@code state} is already
     * terminated (§4.4.3, §4.1.2.3); an {@code active} or {@code pending} state without {@code expires}
     * gets the time left on the dialog (§4.2.2).
     *
     * @param dialog   the dialog as the gateway stored it: {@link SubscribeRequest#created()} or
     *                 {@link SubscribeRequest#dialogFor(SubscriptionDialog)}
     * @param state    the Subscription-State: {@code pending} until the presentity decides (RFC 3856
     *                 §6.6), {@code active} once authorized, {@code terminated} to refuse at once
     * @param document the presence to send, or empty for a NOTIFY without body (no state to reveal)
     */
    record Accept(SubscriptionDialog dialog, SubscriptionState state, Optional<PresenceDocument> document)
            implements SubscribeDecision {
        public Accept {
            Objects.requireNonNull(dialog, "dialog");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(document, "document");
            if (dialog.role() != SubscriptionDialog.Role.NOTIFIER) {
                throw new IllegalArgumentException("the gateway answers a SUBSCRIBE as notifier");
            }
        }
    }

    /**
     * Refuse with a final status other than 2xx, e.g. 403 (RFC 3856 §6.6), 404, 481 for an in-dialog
     * request whose dialog the gateway does not have (RFC 6665 §4.2.1.2), 500 for one out of order.
     *
     * @param status the status to send
     */
    record Refuse(SipStatus status) implements SubscribeDecision {
        public Refuse {
            Objects.requireNonNull(status, "status");
            if (status.code() < 300 || status.code() > 699) {
                throw new IllegalArgumentException("a refusal is a 3xx to 6xx status: " + status.code());
            }
        }
    }

    /** Accepts. */
    static SubscribeDecision accept(SubscriptionDialog dialog, SubscriptionState state,
                                    Optional<PresenceDocument> document) {
        return new Accept(dialog, state, document);
    }

    /** Refuses with {@code status}. */
    static SubscribeDecision refuse(SipStatus status) {
        return new Refuse(status);
    }
}
