package org.isthmus.sip;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.sip.presence.NotifyRequest;
import org.isthmus.sip.presence.SubscribeDecision;
import org.isthmus.sip.presence.SubscribeRequest;

/**
 * Up-calls from the SIP edge; implemented by the gateway. May be called on JAIN-SIP threads;
 * implementations don't block.
 */
public interface SipHandler {

    /**
     * Asked for every MESSAGE, SUBSCRIBE, NOTIFY and REGISTER before the edge checks or reads it further
     * (abuse limits and partner policy, which must cost little under a flood): empty admits it, a
     * refusal is sent as the final response at once. Called on a JAIN-SIP thread; must not block.
     * Admits everything unless overridden.
     */
    default Optional<SipRefusal> admit(SipSource source) {
        return Optional.empty();
    }

    /**
     * A MESSAGE for the gateway (RFC 3428 §7); the edge sends the final response when the stage
     * completes (500 if it fails).
     */
    CompletionStage<SipStatus> onMessage(SipPagerMessage message);

    /**
     * A REGISTER (RFC 3261 §10.3); the edge sends the outcome's status, and on 2xx a Contact header per
     * current binding with its expires, on 423 a Min-Expires header.
     */
    CompletionStage<RegisterOutcome> onRegister(SipRegistration registration);

    /**
     * A presence SUBSCRIBE the edge checked (RFC 6665 §4.2.1, RFC 3856 §6); the gateway stores the dialog
     * and decides. On {@link SubscribeDecision.Accept} the edge answers 200 and sends the first NOTIFY at
     * once (RFC 6665 §4.2.1.4); on {@link SubscribeDecision.Refuse} it sends that status. 500 if the stage
     * fails or takes longer than the edge's handler timeout.
     *
     * <p>The default refuses every subscription with 489 Bad Event (RFC 6665 §8.3.2), for a gateway
     * without presence.
     */
    default CompletionStage<SubscribeDecision> onSubscribe(SubscribeRequest request) {
        return CompletableFuture.completedFuture(SubscribeDecision.refuse(SipStatus.of(489)));
    }

    /**
     * A NOTIFY in a subscription the gateway holds as subscriber (RFC 6665 §4.1.3); the edge sends the
     * stage's status: 200, or 481 for a dialog the gateway does not know (and that is not
     * {@link NotifyRequest#pending()}).
     *
     * <p>The default answers 481 Subscription does not exist: a gateway without presence holds none.
     */
    default CompletionStage<SipStatus> onNotify(NotifyRequest request) {
        return CompletableFuture.completedFuture(SipStatus.of(481));
    }
}
