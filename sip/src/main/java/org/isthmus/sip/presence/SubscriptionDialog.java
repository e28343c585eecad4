package org.isthmus.sip.presence;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.sip.SipException;

/**
 * A subscription dialog (RFC 6665 §4.1.2, §4.2.1; dialog state of RFC 3261 §12) as a value: everything
 * the edge needs to send the next in-dialog request (NOTIFY as notifier, SUBSCRIBE refresh as
 * subscriber) without any in-memory state, so the gateway stores it (DESIGN.md "Dialogs are ours") and
 * a restarted or sibling node resumes from it. {@link SubscriptionDialogCodec} turns it into text.
 *
 * <p>In-dialog requests are built from it as RFC 3261 §12.2.1.1 says: Request-URI the remote target,
 * Route headers the route set (or the strict-routing form when its first entry has no {@code lr}),
 * From the local URI and tag, To the remote URI and tag, the Call-ID, CSeq {@code localCseq + 1}.
 *
 * @param role         which side of the subscription the gateway is
 * @param callId       the Call-ID
 * @param localTag     the gateway's tag (From tag in requests it sends)
 * @param remoteTag    the peer's tag
 * @param localUri     the gateway's URI (From of requests it sends; the presentity as notifier, the
 *                     watcher as subscriber)
 * @param remoteUri    the peer's URI (To of requests it sends)
 * @param remoteTarget the peer's Contact, the Request-URI of in-dialog requests (§12.1, updated by
 *                     target refresh requests: SUBSCRIBE and NOTIFY both are, RFC 6665 §3.1.4, §3.2)
 * @param routeSet     the route set in the order Route headers list it (§12.1.1 for the UAS, reversed
 *                     Record-Route for the UAC, §12.1.2); empty for none
 * @param localCseq    the CSeq number of the last request sent (or reserved) in the dialog; the next
 *                     one sent uses {@code localCseq + 1} (§12.2.1.1)
 * @param remoteCseq   the CSeq number of the last request received in the dialog; 0 when none yet
 *                     (§12.2.2: a lower or equal one is answered 500)
 * @param event        the event package token (RFC 6665 §8.2.1), {@code presence} here
 * @param eventId      the Event header's {@code id} parameter, if the SUBSCRIBE had one (RFC 6665 §8.2.1)
 * @param expiresAt    when the subscription ends unless refreshed
 * @param secure       true if the dialog is secure (§12.1.1: sips Request-URI over TLS); its requests
 *                     then go over TLS only
 */
public record SubscriptionDialog(Role role, String callId, String localTag, String remoteTag, SipUri localUri,
                                 SipUri remoteUri, SipUri remoteTarget, List<SipUri> routeSet, long localCseq,
                                 long remoteCseq, String event, Optional<String> eventId, Instant expiresAt,
                                 boolean secure) {

    /** RFC 3261 §8.1.1.5: a CSeq sequence number is less than 2^31. */
    public static final long MAX_CSEQ = (1L << 31) - 1;

    /** Which side of the subscription the gateway is. */
    public enum Role {
        /** The gateway sends NOTIFY (a SIP watcher of an XMPP user; RFC 6665 §4.2). */
        NOTIFIER,
        /** The gateway sends SUBSCRIBE (an XMPP user watching a SIP user; RFC 6665 §4.1). */
        SUBSCRIBER
    }

    public SubscriptionDialog {
        Objects.requireNonNull(role, "role");
        requireText(callId, "callId");
        requireText(localTag, "localTag");
        requireText(remoteTag, "remoteTag");
        Objects.requireNonNull(localUri, "localUri");
        Objects.requireNonNull(remoteUri, "remoteUri");
        Objects.requireNonNull(remoteTarget, "remoteTarget");
        routeSet = List.copyOf(routeSet);
        requireCseq(localCseq, "localCseq");
        requireCseq(remoteCseq, "remoteCseq");
        requireText(event, "event");
        Objects.requireNonNull(eventId, "eventId");
        eventId.ifPresent(id -> requireText(id, "eventId"));
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** The dialog's identifier. */
    public DialogKey key() {
        return DialogKey.of(this);
    }

    /** A copy whose last sent CSeq is {@code cseq}. */
    public SubscriptionDialog withLocalCseq(long cseq) {
        return new SubscriptionDialog(role, callId, localTag, remoteTag, localUri, remoteUri, remoteTarget, routeSet,
                cseq, remoteCseq, event, eventId, expiresAt, secure);
    }

    /** A copy whose last received CSeq is {@code cseq}. */
    public SubscriptionDialog withRemoteCseq(long cseq) {
        return new SubscriptionDialog(role, callId, localTag, remoteTag, localUri, remoteUri, remoteTarget, routeSet,
                localCseq, cseq, event, eventId, expiresAt, secure);
    }

    /** A copy with a new remote target (a target refresh, RFC 3261 §12.2.2). */
    public SubscriptionDialog withRemoteTarget(SipUri target) {
        return new SubscriptionDialog(role, callId, localTag, remoteTag, localUri, remoteUri, target, routeSet,
                localCseq, remoteCseq, event, eventId, expiresAt, secure);
    }

    /** A copy that ends at {@code instant}. */
    public SubscriptionDialog withExpiresAt(Instant instant) {
        return new SubscriptionDialog(role, callId, localTag, remoteTag, localUri, remoteUri, remoteTarget, routeSet,
                localCseq, remoteCseq, event, eventId, instant, secure);
    }

    /** The copy the next sent request leaves: local CSeq one higher (RFC 3261 §12.2.1.1). */
    public SubscriptionDialog next() {
        if (localCseq >= MAX_CSEQ) {
            throw new SipException("CSeq space of dialog " + key() + " exhausted");
        }
        return withLocalCseq(localCseq + 1);
    }

    /** Whole seconds left at {@code now}, never negative. */
    public long secondsLeft(Instant now) {
        long s = expiresAt.getEpochSecond() - now.getEpochSecond();
        return Math.max(0, s);
    }

    static void requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new SipException(name + " is blank");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0x20 || c == 0x7f) {
                throw new SipException(name + " contains whitespace or a control character");
            }
        }
    }

    private static void requireCseq(long value, String name) {
        if (value < 0 || value > MAX_CSEQ) {
            throw new SipException(name + " out of range (RFC 3261 §8.1.1.5): " + value);
        }
    }
}
