package org.isthmus.mapping.subscription;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.SipStatusToXmpp;

/**
 * The subscription state machine of one XMPP user U and one SIP contact C: given the pair's state and
 * an event from either side or the clock, the new state and the actions to take. Pure: the gateway's
 * mirror stores the state, feeds events in order, and carries out the actions.
 *
 * <p>The two directions are independent (RFC 6121 Appendix A.1 composes them): U's subscription to C
 * is carried by a dialog in which the gateway is subscriber, C's subscription to U by one in which it
 * is notifier. Events for a dialog that an {@link SubscribeKind#INITIAL} SUBSCRIBE has superseded do
 * not reach the machine: the mirror answers such a NOTIFY itself (200 if terminated, else 481, RFC 6665
 * §4.1.3). A timer event in a state that does not expect it is ignored, so the mirror never has to
 * cancel timers. Abbreviations below: A = {@link MirrorState#outbound()}, D =
 * {@link MirrorState#subscriber()}, B = {@link MirrorState#inbound()}, N = {@link MirrorState#notifier()};
 * "live" = SUBSCRIBING, NOTIFY_WAIT, PENDING or ACTIVE; "retry" = D RETRY_WAIT, ScheduleRetry, and
 * {@code unavailable} to U if A is GRANTED; "—" = no change, no action.
 *
 * <table>
 *   <caption>U's subscription to C (the gateway as SIP subscriber)</caption>
 *   <tr><th>event</th><th>state</th><th>new state and actions</th><th>RFC</th></tr>
 *   <tr><td>XMPP subscribe</td><td>A NONE</td><td>A PENDING, D SUBSCRIBING, SUBSCRIBE (initial);
 *       from CANCELLING the SUBSCRIBE in flight is kept</td><td>8048 §5.2.1 F1–F2; 6121 Table 2</td></tr>
 *   <tr><td></td><td>A PENDING</td><td>—</td><td>6121 Table 2 (no state change)</td></tr>
 *   <tr><td></td><td>A GRANTED</td><td>{@code subscribed} to U; if D IDLE also SUBSCRIBE (initial)</td>
 *       <td>6121 §3.1.3 rule 2</td></tr>
 *   <tr><td>XMPP unsubscribe</td><td>D SUBSCRIBING</td><td>A NONE, D CANCELLING</td><td>6665 §4.1.2.4</td></tr>
 *   <tr><td></td><td>D NOTIFY_WAIT, PENDING, ACTIVE</td><td>A NONE, D UNSUBSCRIBING, SUBSCRIBE Expires 0</td>
 *       <td>8048 §5.2.3 F16–F17</td></tr>
 *   <tr><td></td><td>D IDLE, RETRY_WAIT, DORMANT (A not NONE)</td><td>A NONE, D IDLE, {@code unsubscribed}</td>
 *       <td>8048 §5.2.3 F21</td></tr>
 *   <tr><td>XMPP probe</td><td>A NONE</td><td>{@code unsubscribed} to U, no SUBSCRIBE: U is not
 *       authorized, so nothing of C's presence may reach U (RFC 2779 §5.1); RFC 8048 §7.1's fetch is for
 *       subscribed users</td><td>6121 §4.3.2 rule 1</td></tr>
 *   <tr><td></td><td>A GRANTED, D ACTIVE or PENDING</td><td>SUBSCRIBE (refresh)</td><td>8048 §5.2.2; 6665 §4.4.3</td></tr>
 *   <tr><td></td><td>A GRANTED, D IDLE</td><td>D SUBSCRIBING, SUBSCRIBE (initial)</td><td>8048 §5.2.2</td></tr>
 *   <tr><td></td><td>A GRANTED, D RETRY_WAIT</td><td>{@code unavailable} to U</td><td>6121 §4.3.2 rule 3</td></tr>
 *   <tr><td></td><td>A GRANTED, D DORMANT</td><td>cached presence to U</td><td>6665 §4.1.3 invariant</td></tr>
 *   <tr><td></td><td>otherwise</td><td>— (the NOTIFY to come answers it)</td><td>8048 §5.2.1</td></tr>
 *   <tr><td>2xx</td><td>D SUBSCRIBING</td><td>D NOTIFY_WAIT, ScheduleRefresh(Expires)</td><td>6665 §3.1.1, §8.3.1</td></tr>
 *   <tr><td></td><td>D NOTIFY_WAIT, PENDING, ACTIVE</td><td>ScheduleRefresh(Expires)</td><td>6665 §4.1.2.2</td></tr>
 *   <tr><td></td><td>D CANCELLING</td><td>D UNSUBSCRIBING, SUBSCRIBE Expires 0</td><td>8048 §5.2.3</td></tr>
 *   <tr><td></td><td>D UNSUBSCRIBING</td><td>D IDLE, {@code unsubscribed}</td><td>8048 §5.2.3 F20–F21</td></tr>
 *   <tr><td>failure</td><td>D SUBSCRIBING</td><td>423: SUBSCRIBE again with Min-Expires; permanent
 *       ({@link SubscribeFailure}): A NONE, D IDLE, the RFC 7247 §7.2 error (if A was PENDING) and
 *       {@code unsubscribed}; else retry</td><td>8048 §5.2.2; 3922 §6.1; 7247 §7.2</td></tr>
 *   <tr><td></td><td>D NOTIFY_WAIT, PENDING, ACTIVE</td><td>423: refresh with Min-Expires; permanent:
 *       A NONE, D IDLE, {@code unsubscribed}; 481: D SUBSCRIBING, SUBSCRIBE (initial); 480, 482, 483:
 *       retry; other: —</td><td>8048 §5.2.2; 6665 §4.1.2.2</td></tr>
 *   <tr><td></td><td>D CANCELLING, UNSUBSCRIBING</td><td>D IDLE, {@code unsubscribed}</td><td>8048 §5.2.3</td></tr>
 *   <tr><td>NOTIFY active</td><td>D live</td><td>200; A GRANTED, D ACTIVE; {@code subscribed} to U if
 *       A was PENDING; the body's presence; ScheduleRefresh(expires)</td><td>8048 §5.2.1 F10–F15; 6665 §4.1.3</td></tr>
 *   <tr><td>NOTIFY pending</td><td>D live</td><td>200; D PENDING; nothing to U</td><td>8048 §5.2.1 F6–F8</td></tr>
 *   <tr><td>NOTIFY active or pending</td><td>D CANCELLING</td><td>200; D UNSUBSCRIBING, SUBSCRIBE Expires 0</td><td>8048 §5.2.3</td></tr>
 *   <tr><td></td><td>D UNSUBSCRIBING</td><td>200; nothing to U</td><td>3922 §6.4</td></tr>
 *   <tr><td></td><td>D IDLE, RETRY_WAIT, DORMANT</td><td>481</td><td>6665 §4.1.3</td></tr>
 *   <tr><td>NOTIFY terminated</td><td>D live</td><td>200; the body's presence if A GRANTED; then by
 *       {@link TerminationOutcome}: CANCELLED → A NONE, D IDLE, {@code unsubscribed}; RESUBSCRIBE →
 *       D SUBSCRIBING, SUBSCRIBE (initial), except as the first NOTIFY of a subscription (D SUBSCRIBING
 *       or NOTIFY_WAIT), which is a retry so that a notifier that ends every subscription at once
 *       cannot drive a loop; RETRY_LATER → retry after {@code retry-after}; KEPT → D DORMANT if A
 *       GRANTED, else A NONE, D IDLE, {@code unsubscribed}</td><td>6665 §4.1.3, §4.4.2; 8048 §5.3.1,
 *       §8.1</td></tr>
 *   <tr><td></td><td>D CANCELLING, UNSUBSCRIBING</td><td>200; D IDLE, {@code unsubscribed}</td><td>8048 §5.2.3 F21–F25</td></tr>
 *   <tr><td></td><td>D IDLE, RETRY_WAIT, DORMANT</td><td>200</td><td>6665 §4.4.1</td></tr>
 *   <tr><td>Timer N or expiry</td><td>D live</td><td>retry</td><td>6665 §4.1.2.2, §4.1.2.4</td></tr>
 *   <tr><td></td><td>D CANCELLING, UNSUBSCRIBING</td><td>D IDLE, {@code unsubscribed}</td><td>6665 §4.1.2.4</td></tr>
 *   <tr><td>refresh due</td><td>D NOTIFY_WAIT, PENDING, ACTIVE</td><td>probe U from the gateway if A
 *       GRANTED; SUBSCRIBE (refresh)</td><td>8048 §5.2.2, §8.1</td></tr>
 *   <tr><td>retry due</td><td>D RETRY_WAIT</td><td>D SUBSCRIBING, SUBSCRIBE (initial)</td><td>6665 §4.1.2</td></tr>
 * </table>
 *
 * <table>
 *   <caption>C's subscription to U (the gateway as SIP notifier)</caption>
 *   <tr><th>event</th><th>state</th><th>new state and actions</th><th>RFC</th></tr>
 *   <tr><td>SUBSCRIBE (new dialog)</td><td>B NONE</td><td>B PENDING, N PENDING; 200, NOTIFY pending,
 *       ScheduleExpiry, {@code subscribe} to U</td><td>8048 §5.3.1 F26–F28; 6665 §4.2.1.2, §8.3.1</td></tr>
 *   <tr><td></td><td>B PENDING</td><td>N PENDING; 200, NOTIFY pending, ScheduleExpiry (U's server
 *       holds the request already)</td><td>6121 Table 6</td></tr>
 *   <tr><td></td><td>B GRANTED</td><td>N ACTIVE; 200, NOTIFY active with U's presence, ScheduleExpiry,
 *       {@code probe} to U</td><td>8048 §5.3.2, §7.2</td></tr>
 *   <tr><td>SUBSCRIBE refresh</td><td>N PENDING or ACTIVE</td><td>200, NOTIFY of the same state,
 *       ScheduleExpiry</td><td>8048 §5.3.2; 6665 §4.2.1.2</td></tr>
 *   <tr><td>SUBSCRIBE Expires 0 in dialog</td><td>N ACTIVE</td><td>N IDLE; 200, NOTIFY
 *       terminated;reason=timeout with a closed document, {@code unavailable} to U; B unchanged</td>
 *       <td>8048 §5.3.3</td></tr>
 *   <tr><td></td><td>N PENDING</td><td>N IDLE; 200, NOTIFY terminated;reason=timeout, no body</td><td>6665 §4.2.1.4</td></tr>
 *   <tr><td>refresh or Expires 0 in dialog</td><td>N IDLE</td><td>481</td><td>6665 §4.1.2.2</td></tr>
 *   <tr><td>SUBSCRIBE Expires 0, new dialog</td><td>B GRANTED</td><td>200, NOTIFY
 *       terminated;reason=timeout with U's presence; {@code probe} to U if none is known</td>
 *       <td>8048 §7.2; 6665 §4.4.3</td></tr>
 *   <tr><td></td><td>B NONE or PENDING</td><td>200, NOTIFY terminated;reason=timeout without body,
 *       {@code probe} to U (U's server decides, RFC 6121 §4.3.2)</td><td>8048 §7.2, §8.2</td></tr>
 *   <tr><td>XMPP subscribed</td><td>B PENDING</td><td>B GRANTED; if N PENDING: N ACTIVE, NOTIFY active</td>
 *       <td>8048 §5.3.1 F31–F32</td></tr>
 *   <tr><td></td><td>B NONE, GRANTED</td><td>— (pre-approval stays with U's server)</td><td>6121 Table 4</td></tr>
 *   <tr><td>XMPP unsubscribed</td><td>B PENDING or GRANTED</td><td>B NONE, N IDLE; NOTIFY
 *       terminated;reason=rejected if N was not IDLE</td><td>8048 §5.3.1 Examples 15–16; 3922 §6.5; 6665 §4.2.1.3</td></tr>
 *   <tr><td>XMPP error</td><td>B PENDING</td><td>B NONE, N IDLE; NOTIFY terminated with
 *       {@link CpimSubscriptionToSip#reasonFor} if N was PENDING</td><td>3922 §6.2</td></tr>
 *   <tr><td>XMPP presence</td><td>N ACTIVE</td><td>NOTIFY active with U's presence</td><td>8048 §6.2</td></tr>
 *   <tr><td>expiry</td><td>N PENDING or ACTIVE</td><td>N IDLE; NOTIFY terminated;reason=timeout
 *       (closed document if ACTIVE, and {@code unavailable} to U)</td><td>6665 §4.2.1.4; 8048 §5.3.3</td></tr>
 *   <tr><td>NOTIFY failure</td><td>N not IDLE</td><td>404, 405, 408, 410, 416, 480–485, 489, 501, 604:
 *       N IDLE ({@code unavailable} to U if it was ACTIVE); other: —</td><td>6665 §4.2.2</td></tr>
 * </table>
 */
public final class SubscriptionMachine {

    private SubscriptionMachine() {
    }

    /**
     * The transition for an event.
     *
     * @param state the pair's current state
     * @param event what happened
     * @return the new state and the actions, in order
     */
    public static Transition next(MirrorState state, MirrorEvent event) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(event, "event");
        Step step = new Step(state);
        if (event instanceof MirrorEvent.XmppSubscribe) {
            xmppSubscribe(step);
        } else if (event instanceof MirrorEvent.XmppUnsubscribe) {
            xmppUnsubscribe(step);
        } else if (event instanceof MirrorEvent.XmppProbe) {
            xmppProbe(step);
        } else if (event instanceof MirrorEvent.SubscribeAccepted e) {
            subscribeAccepted(step, e.expires());
        } else if (event instanceof MirrorEvent.SubscribeFailed e) {
            subscribeFailed(step, e);
        } else if (event instanceof MirrorEvent.NotifyReceived e) {
            notifyReceived(step, e.state(), e.hasBody());
        } else if (event instanceof MirrorEvent.SubscriberTimedOut) {
            subscriberTimedOut(step);
        } else if (event instanceof MirrorEvent.RefreshDue) {
            refreshDue(step);
        } else if (event instanceof MirrorEvent.RetryDue) {
            retryDue(step);
        } else if (event instanceof MirrorEvent.XmppSubscribed) {
            xmppSubscribed(step);
        } else if (event instanceof MirrorEvent.XmppUnsubscribed) {
            xmppUnsubscribed(step);
        } else if (event instanceof MirrorEvent.XmppError e) {
            xmppError(step, e);
        } else if (event instanceof MirrorEvent.XmppPresenceChanged) {
            xmppPresenceChanged(step);
        } else if (event instanceof MirrorEvent.SubscribeReceived e) {
            subscribeReceived(step, e.expires());
        } else if (event instanceof MirrorEvent.RefreshReceived e) {
            refreshReceived(step, e.expires());
        } else if (event instanceof MirrorEvent.UnsubscribeReceived) {
            unsubscribeReceived(step);
        } else if (event instanceof MirrorEvent.FetchReceived e) {
            fetchReceived(step, e.presenceKnown());
        } else if (event instanceof MirrorEvent.NotifierExpired) {
            notifierExpired(step);
        } else if (event instanceof MirrorEvent.NotifyFailed e) {
            notifyFailed(step, e.status());
        }
        return step.transition();
    }

    // U's subscription to C: the gateway as subscriber.

    private static void xmppSubscribe(Step s) {
        switch (s.a()) {
            case NONE -> {
                boolean inFlight = s.d() == SubscriberDialog.CANCELLING;
                s.out(AuthorizationState.PENDING, SubscriberDialog.SUBSCRIBING);
                if (!inFlight) {
                    s.subscribe(SubscribeKind.INITIAL);
                }
            }
            case PENDING -> {
                // RFC 6121 Table 2: no state change; the request is in flight or waiting to be retried.
            }
            case GRANTED -> {
                s.xmpp(XmppSubscriptionType.SUBSCRIBED);
                if (s.d() == SubscriberDialog.IDLE) {
                    s.out(AuthorizationState.GRANTED, SubscriberDialog.SUBSCRIBING);
                    s.subscribe(SubscribeKind.INITIAL);
                }
            }
        }
    }

    private static void xmppUnsubscribe(Step s) {
        if (s.a() == AuthorizationState.NONE) {
            return;
        }
        switch (s.d()) {
            case SUBSCRIBING -> s.out(AuthorizationState.NONE, SubscriberDialog.CANCELLING);
            case NOTIFY_WAIT, PENDING, ACTIVE -> {
                s.out(AuthorizationState.NONE, SubscriberDialog.UNSUBSCRIBING);
                s.subscribe(SubscribeKind.UNSUBSCRIBE);
            }
            default -> {
                s.out(AuthorizationState.NONE, SubscriberDialog.IDLE);
                s.xmpp(XmppSubscriptionType.UNSUBSCRIBED);
            }
        }
    }

    private static void xmppProbe(Step s) {
        switch (s.a()) {
            case NONE -> {
                // RFC 6121 §4.3.2 rule 1: a probe from a user without a subscription is answered
                // unsubscribed; a fetch would only ask the SIP side for what U may not see.
                s.xmpp(XmppSubscriptionType.UNSUBSCRIBED);
            }
            case PENDING -> {
                // Not authorized yet: the NOTIFY that authorizes brings the presence (RFC 8048 §5.2.1).
            }
            case GRANTED -> {
                switch (s.d()) {
                    case ACTIVE, PENDING -> s.subscribe(SubscribeKind.REFRESH);
                    case IDLE -> {
                        s.out(AuthorizationState.GRANTED, SubscriberDialog.SUBSCRIBING);
                        s.subscribe(SubscribeKind.INITIAL);
                    }
                    case RETRY_WAIT -> s.xmpp(XmppSubscriptionType.UNAVAILABLE);
                    case DORMANT -> s.act(new MirrorAction.SendCachedPresence());
                    default -> {
                        // SUBSCRIBING, NOTIFY_WAIT: the first NOTIFY answers.
                    }
                }
            }
        }
    }

    private static void subscribeAccepted(Step s, long expires) {
        switch (s.d()) {
            case SUBSCRIBING, NOTIFY_WAIT, PENDING, ACTIVE -> {
                if (s.d() == SubscriberDialog.SUBSCRIBING) {
                    s.out(s.a(), SubscriberDialog.NOTIFY_WAIT);
                }
                // Zero: the notifier shortened the subscription to nothing; a terminated NOTIFY follows (RFC 6665 §4.2.2).
                if (expires > 0) {
                    s.act(new MirrorAction.ScheduleRefresh(expires));
                }
            }
            case CANCELLING -> {
                s.out(AuthorizationState.NONE, SubscriberDialog.UNSUBSCRIBING);
                s.subscribe(SubscribeKind.UNSUBSCRIBE);
            }
            case UNSUBSCRIBING -> unsubscribed(s);
            default -> {
                // IDLE, RETRY_WAIT, DORMANT: a late answer for a dialog already given up.
            }
        }
    }

    private static void subscribeFailed(Step s, MirrorEvent.SubscribeFailed failure) {
        SubscribeFailure kind = SubscribeFailure.of(failure.status().code());
        OptionalLong minExpires = failure.minExpires().stream().filter(m -> m > 0).findFirst();
        if (kind == SubscribeFailure.INTERVAL_TOO_BRIEF && minExpires.isEmpty()) {
            kind = SubscribeFailure.TRANSIENT;
        }
        switch (s.d()) {
            case SUBSCRIBING -> {
                if (kind == SubscribeFailure.INTERVAL_TOO_BRIEF) {
                    s.act(new MirrorAction.SendSubscribe(SubscribeKind.INITIAL, minExpires));
                } else if (kind == SubscribeFailure.PERMANENT) {
                    if (s.a() == AuthorizationState.PENDING) {
                        s.act(new MirrorAction.SendXmppError(SipStatusToXmpp.errorFor(failure.status(), Optional.empty())));
                    }
                    unsubscribed(s);
                } else {
                    retry(s, failure.retryAfter());
                }
            }
            case NOTIFY_WAIT, PENDING, ACTIVE -> {
                switch (kind) {
                    case INTERVAL_TOO_BRIEF -> s.act(new MirrorAction.SendSubscribe(SubscribeKind.REFRESH, minExpires));
                    case PERMANENT -> unsubscribed(s);
                    case DIALOG_GONE -> {
                        s.out(s.a(), SubscriberDialog.SUBSCRIBING);
                        s.subscribe(SubscribeKind.INITIAL);
                    }
                    case ENDS_SUBSCRIPTION -> retry(s, failure.retryAfter());
                    case TRANSIENT -> {
                        // RFC 6665 §4.1.2.2: the subscription stays valid until its known expiry.
                    }
                }
            }
            case CANCELLING, UNSUBSCRIBING -> unsubscribed(s);
            default -> {
                // IDLE, RETRY_WAIT, DORMANT: a late answer for a dialog already given up.
            }
        }
    }

    private static void notifyReceived(Step s, SubscriptionState state, boolean hasBody) {
        boolean terminated = state instanceof SubscriptionState.Terminated;
        switch (s.d()) {
            case IDLE, RETRY_WAIT, DORMANT -> s.respond(terminated ? 200 : 481);
            case CANCELLING -> {
                s.respond(200);
                if (terminated) {
                    unsubscribed(s);
                } else {
                    s.out(AuthorizationState.NONE, SubscriberDialog.UNSUBSCRIBING);
                    s.subscribe(SubscribeKind.UNSUBSCRIBE);
                }
            }
            case UNSUBSCRIBING -> {
                s.respond(200);
                if (terminated) {
                    unsubscribed(s);
                }
            }
            case SUBSCRIBING, NOTIFY_WAIT, PENDING, ACTIVE -> {
                s.respond(200);
                if (state instanceof SubscriptionState.Active active) {
                    if (s.a() == AuthorizationState.PENDING) {
                        s.xmpp(XmppSubscriptionType.SUBSCRIBED);
                    }
                    s.out(AuthorizationState.GRANTED, SubscriberDialog.ACTIVE);
                    if (hasBody) {
                        s.act(new MirrorAction.ForwardNotifyPresence());
                    }
                    active.expires().ifPresent(e -> s.act(new MirrorAction.ScheduleRefresh(e)));
                } else if (state instanceof SubscriptionState.Pending pending) {
                    s.out(s.a(), SubscriberDialog.PENDING);
                    pending.expires().ifPresent(e -> s.act(new MirrorAction.ScheduleRefresh(e)));
                } else {
                    terminated(s, (SubscriptionState.Terminated) state, hasBody);
                }
            }
        }
    }

    private static void terminated(Step s, SubscriptionState.Terminated state, boolean hasBody) {
        if (hasBody && s.a() == AuthorizationState.GRANTED) {
            // RFC 6665 §4.1.2.3: a final NOTIFY may carry state.
            s.act(new MirrorAction.ForwardNotifyPresence());
        }
        switch (TerminationOutcome.of(state)) {
            case CANCELLED -> unsubscribed(s);
            case KEPT -> {
                if (s.a() == AuthorizationState.GRANTED) {
                    s.out(AuthorizationState.GRANTED, SubscriberDialog.DORMANT);
                } else {
                    unsubscribed(s);
                }
            }
            case RESUBSCRIBE -> {
                if (s.d() == SubscriberDialog.SUBSCRIBING || s.d() == SubscriberDialog.NOTIFY_WAIT) {
                    retry(s, OptionalLong.empty());
                } else {
                    s.out(s.a(), SubscriberDialog.SUBSCRIBING);
                    s.subscribe(SubscribeKind.INITIAL);
                }
            }
            case RETRY_LATER -> retry(s, state.retryAfter());
        }
    }

    private static void subscriberTimedOut(Step s) {
        switch (s.d()) {
            case SUBSCRIBING, NOTIFY_WAIT, PENDING, ACTIVE -> retry(s, OptionalLong.empty());
            case CANCELLING, UNSUBSCRIBING -> unsubscribed(s);
            default -> {
                // A stale timer.
            }
        }
    }

    private static void refreshDue(Step s) {
        switch (s.d()) {
            case NOTIFY_WAIT, PENDING, ACTIVE -> {
                if (s.a() == AuthorizationState.GRANTED) {
                    s.act(new MirrorAction.ProbeUserFromGateway());
                }
                s.subscribe(SubscribeKind.REFRESH);
            }
            default -> {
                // A stale timer.
            }
        }
    }

    private static void retryDue(Step s) {
        if (s.d() == SubscriberDialog.RETRY_WAIT) {
            s.out(s.a(), SubscriberDialog.SUBSCRIBING);
            s.subscribe(SubscribeKind.INITIAL);
        }
    }

    /** The subscription and the authorization are over: tell U (RFC 8048 §5.2.2, §5.2.3 F21). */
    private static void unsubscribed(Step s) {
        s.out(AuthorizationState.NONE, SubscriberDialog.IDLE);
        s.xmpp(XmppSubscriptionType.UNSUBSCRIBED);
    }

    /** Wait, then re-subscribe; C's presence is unknown meanwhile (RFC 8048 §5.2.1: "unknown or closed"). */
    private static void retry(Step s, OptionalLong retryAfter) {
        s.out(s.a(), SubscriberDialog.RETRY_WAIT);
        if (s.a() == AuthorizationState.GRANTED) {
            s.xmpp(XmppSubscriptionType.UNAVAILABLE);
        }
        s.act(new MirrorAction.ScheduleRetry(retryAfter));
    }

    // C's subscription to U: the gateway as notifier.

    private static void subscribeReceived(Step s, long expires) {
        s.respond(200);
        switch (s.b()) {
            case NONE, PENDING -> {
                boolean ask = s.b() == AuthorizationState.NONE;
                s.in(AuthorizationState.PENDING, NotifierDialog.PENDING);
                s.sendNotify(new SubscriptionState.Pending(OptionalLong.empty()), NotifyBody.NONE);
                s.act(new MirrorAction.ScheduleExpiry(expires));
                if (ask) {
                    s.xmpp(XmppSubscriptionType.SUBSCRIBE);
                }
            }
            case GRANTED -> {
                s.in(AuthorizationState.GRANTED, NotifierDialog.ACTIVE);
                s.sendNotify(new SubscriptionState.Active(OptionalLong.empty()), NotifyBody.CURRENT);
                s.act(new MirrorAction.ScheduleExpiry(expires));
                s.xmpp(XmppSubscriptionType.PROBE);
            }
        }
    }

    private static void refreshReceived(Step s, long expires) {
        switch (s.n()) {
            case IDLE -> s.respond(481);
            case PENDING -> {
                s.respond(200);
                s.sendNotify(new SubscriptionState.Pending(OptionalLong.empty()), NotifyBody.NONE);
                s.act(new MirrorAction.ScheduleExpiry(expires));
            }
            case ACTIVE -> {
                s.respond(200);
                s.sendNotify(new SubscriptionState.Active(OptionalLong.empty()), NotifyBody.CURRENT);
                s.act(new MirrorAction.ScheduleExpiry(expires));
            }
        }
    }

    private static void unsubscribeReceived(Step s) {
        switch (s.n()) {
            case IDLE -> s.respond(481);
            case PENDING -> {
                s.respond(200);
                s.in(s.b(), NotifierDialog.IDLE);
                s.sendNotify(SubscriptionState.Terminated.of(TerminationReason.TIMEOUT), NotifyBody.NONE);
            }
            case ACTIVE -> {
                s.respond(200);
                s.in(s.b(), NotifierDialog.IDLE);
                s.sendNotify(SubscriptionState.Terminated.of(TerminationReason.TIMEOUT), NotifyBody.CLOSED);
                s.xmpp(XmppSubscriptionType.UNAVAILABLE);
            }
        }
    }

    private static void fetchReceived(Step s, boolean presenceKnown) {
        s.respond(200);
        boolean granted = s.b() == AuthorizationState.GRANTED;
        s.sendNotify(SubscriptionState.Terminated.of(TerminationReason.TIMEOUT), granted ? NotifyBody.CURRENT : NotifyBody.NONE);
        if (!granted || !presenceKnown) {
            s.xmpp(XmppSubscriptionType.PROBE);
        }
    }

    private static void notifierExpired(Step s) {
        switch (s.n()) {
            case PENDING -> {
                s.in(s.b(), NotifierDialog.IDLE);
                s.sendNotify(SubscriptionState.Terminated.of(TerminationReason.TIMEOUT), NotifyBody.NONE);
            }
            case ACTIVE -> {
                s.in(s.b(), NotifierDialog.IDLE);
                s.sendNotify(SubscriptionState.Terminated.of(TerminationReason.TIMEOUT), NotifyBody.CLOSED);
                s.xmpp(XmppSubscriptionType.UNAVAILABLE);
            }
            case IDLE -> {
                // A stale timer.
            }
        }
    }

    private static void notifyFailed(Step s, SipStatus status) {
        if (s.n() == NotifierDialog.IDLE || !SubscribeFailure.endsNotifierSubscription(status.code())) {
            return;
        }
        boolean wasActive = s.n() == NotifierDialog.ACTIVE;
        s.in(s.b(), NotifierDialog.IDLE);
        if (wasActive) {
            s.xmpp(XmppSubscriptionType.UNAVAILABLE);
        }
    }

    private static void xmppSubscribed(Step s) {
        if (s.b() != AuthorizationState.PENDING) {
            return;
        }
        if (s.n() == NotifierDialog.PENDING) {
            s.in(AuthorizationState.GRANTED, NotifierDialog.ACTIVE);
            s.sendNotify(new SubscriptionState.Active(OptionalLong.empty()), NotifyBody.CURRENT);
        } else {
            s.in(AuthorizationState.GRANTED, NotifierDialog.IDLE);
        }
    }

    private static void xmppUnsubscribed(Step s) {
        if (s.b() == AuthorizationState.NONE) {
            return;
        }
        boolean dialog = s.n() != NotifierDialog.IDLE;
        s.in(AuthorizationState.NONE, NotifierDialog.IDLE);
        if (dialog) {
            s.sendNotify(SubscriptionState.Terminated.of(TerminationReason.REJECTED), NotifyBody.NONE);
        }
    }

    private static void xmppError(Step s, MirrorEvent.XmppError e) {
        if (s.b() != AuthorizationState.PENDING) {
            return;
        }
        boolean dialog = s.n() == NotifierDialog.PENDING;
        s.in(AuthorizationState.NONE, NotifierDialog.IDLE);
        if (dialog) {
            s.sendNotify(SubscriptionState.Terminated.of(CpimSubscriptionToSip.reasonFor(e.error().condition())),
                    NotifyBody.NONE);
        }
    }

    private static void xmppPresenceChanged(Step s) {
        if (s.n() == NotifierDialog.ACTIVE) {
            s.sendNotify(new SubscriptionState.Active(OptionalLong.empty()), NotifyBody.CURRENT);
        }
    }

    /** The state being built and the actions so far, for one event. */
    private static final class Step {
        private MirrorState state;
        private final List<MirrorAction> actions = new ArrayList<>(4);

        Step(MirrorState state) {
            this.state = state;
        }

        AuthorizationState a() {
            return state.outbound();
        }

        SubscriberDialog d() {
            return state.subscriber();
        }

        AuthorizationState b() {
            return state.inbound();
        }

        NotifierDialog n() {
            return state.notifier();
        }

        void out(AuthorizationState outbound, SubscriberDialog dialog) {
            state = state.withOutbound(outbound, dialog);
        }

        void in(AuthorizationState inbound, NotifierDialog dialog) {
            state = state.withInbound(inbound, dialog);
        }

        void act(MirrorAction action) {
            actions.add(action);
        }

        void subscribe(SubscribeKind kind) {
            act(MirrorAction.SendSubscribe.of(kind));
        }

        void xmpp(XmppSubscriptionType type) {
            act(new MirrorAction.SendXmpp(type));
        }

        void sendNotify(SubscriptionState notifyState, NotifyBody body) {
            act(new MirrorAction.SendNotify(notifyState, body));
        }

        void respond(int code) {
            act(new MirrorAction.RespondSip(SipStatus.of(code)));
        }

        Transition transition() {
            return new Transition(state, actions);
        }
    }
}
