package org.isthmus.sip.presence;

import java.util.Objects;

/**
 * What identifies a dialog (RFC 3261 §12: Call-ID, local tag, remote tag), seen from the gateway's side:
 * the local tag is the one the edge chose, the remote tag the peer's. A received request's To tag is
 * the local tag and its From tag the remote one (§12.2.2).
 *
 * @param callId    the Call-ID
 * @param localTag  the gateway's tag
 * @param remoteTag the peer's tag
 */
public record DialogKey(String callId, String localTag, String remoteTag) {
    public DialogKey {
        SubscriptionDialog.requireText(callId, "callId");
        SubscriptionDialog.requireText(localTag, "localTag");
        SubscriptionDialog.requireText(remoteTag, "remoteTag");
    }

    /** A text form for logs and store keys: {@code callId;localTag;remoteTag}. */
    @Override
    public String toString() {
        return callId + ";" + localTag + ";" + remoteTag;
    }

    static DialogKey of(SubscriptionDialog dialog) {
        Objects.requireNonNull(dialog, "dialog");
        return new DialogKey(dialog.callId(), dialog.localTag(), dialog.remoteTag());
    }
}
