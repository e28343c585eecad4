package org.isthmus.sip;

import java.util.concurrent.CompletionStage;

import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.SipPagerMessage;

/**
 * Up-calls from the SIP edge; implemented by the gateway. May be called on JAIN-SIP threads;
 * implementations don't block.
 */
public interface SipHandler {

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
}
