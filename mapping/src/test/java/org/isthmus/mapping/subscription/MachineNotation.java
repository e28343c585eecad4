package org.isthmus.mapping.subscription;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.stream.Collectors;

import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;

/** A compact text form of the machine's states, events and actions, for the transition table. */
final class MachineNotation {

    private MachineNotation() {
    }

    /** The events fed to the subscriber half, each in its text form. */
    static final String[] OUTBOUND_EVENTS = {
        "xmpp:subscribe", "xmpp:unsubscribe", "xmpp:probe",
        "2xx:3600", "2xx:0", "fail:403", "fail:489", "fail:603", "fail:404", "fail:481", "fail:423/1800", "fail:423",
        "fail:480/30", "fail:500", "fail:408",
        "notify:active;expires=499+body", "notify:active", "notify:pending;expires=60",
        "notify:terminated;reason=rejected", "notify:terminated;reason=noresource", "notify:terminated;reason=deactivated",
        "notify:terminated;reason=timeout+body", "notify:terminated;reason=probation;retry-after=60",
        "notify:terminated;reason=giveup", "notify:terminated;reason=invariant", "notify:terminated;reason=badfilter",
        "notify:terminated", "timer:timed-out", "timer:refresh", "timer:retry",
    };

    /** The events fed to the notifier half. */
    static final String[] INBOUND_EVENTS = {
        "sip:subscribe/3600", "sip:refresh/1800", "sip:unsubscribe", "sip:fetch/known", "sip:fetch/unknown",
        "notify-failed:481", "notify-failed:408", "notify-failed:500",
        "xmpp:subscribed", "xmpp:unsubscribed", "xmpp:error/item-not-found", "xmpp:error/remote-server-timeout",
        "xmpp:presence", "timer:expired",
    };

    static MirrorEvent event(String text) {
        int colon = text.indexOf(':');
        String kind = text.substring(0, colon);
        String arg = text.substring(colon + 1);
        switch (kind) {
            case "xmpp" -> {
                if (arg.startsWith("error/")) {
                    return new MirrorEvent.XmppError(StanzaError.of(
                            StanzaErrorCondition.fromElementName(arg.substring(6)).orElseThrow(), null));
                }
                return switch (arg) {
                    case "subscribe" -> new MirrorEvent.XmppSubscribe();
                    case "unsubscribe" -> new MirrorEvent.XmppUnsubscribe();
                    case "subscribed" -> new MirrorEvent.XmppSubscribed();
                    case "unsubscribed" -> new MirrorEvent.XmppUnsubscribed();
                    case "probe" -> new MirrorEvent.XmppProbe();
                    case "presence" -> new MirrorEvent.XmppPresenceChanged();
                    default -> throw new IllegalArgumentException(text);
                };
            }
            case "2xx" -> {
                return new MirrorEvent.SubscribeAccepted(Long.parseLong(arg));
            }
            case "fail" -> {
                String[] p = arg.split("/");
                int code = Integer.parseInt(p[0]);
                OptionalLong extra = p.length > 1 ? OptionalLong.of(Long.parseLong(p[1])) : OptionalLong.empty();
                return new MirrorEvent.SubscribeFailed(SipStatus.of(code), code == 423 ? extra : OptionalLong.empty(),
                        code == 423 ? OptionalLong.empty() : extra);
            }
            case "notify" -> {
                boolean body = arg.endsWith("+body");
                String header = body ? arg.substring(0, arg.length() - 5) : arg;
                return new MirrorEvent.NotifyReceived(SubscriptionState.parse(header).orThrow(), body);
            }
            case "sip" -> {
                String[] p = arg.split("/");
                return switch (p[0]) {
                    case "subscribe" -> new MirrorEvent.SubscribeReceived(Long.parseLong(p[1]));
                    case "refresh" -> new MirrorEvent.RefreshReceived(Long.parseLong(p[1]));
                    case "unsubscribe" -> new MirrorEvent.UnsubscribeReceived();
                    case "fetch" -> new MirrorEvent.FetchReceived(p[1].equals("known"));
                    default -> throw new IllegalArgumentException(text);
                };
            }
            case "notify-failed" -> {
                return new MirrorEvent.NotifyFailed(SipStatus.of(Integer.parseInt(arg)));
            }
            case "timer" -> {
                return switch (arg) {
                    case "timed-out" -> new MirrorEvent.SubscriberTimedOut();
                    case "refresh" -> new MirrorEvent.RefreshDue();
                    case "retry" -> new MirrorEvent.RetryDue();
                    case "expired" -> new MirrorEvent.NotifierExpired();
                    default -> throw new IllegalArgumentException(text);
                };
            }
            default -> throw new IllegalArgumentException(text);
        }
    }

    static String action(MirrorAction a) {
        if (a instanceof MirrorAction.SendSubscribe s) {
            String kind = "SUBSCRIBE:" + s.kind().name().toLowerCase(Locale.ROOT);
            boolean implied = s.kind() == SubscribeKind.UNSUBSCRIBE || s.kind() == SubscribeKind.FETCH;
            return implied || s.expires().isEmpty() ? kind : kind + "/" + s.expires().getAsLong();
        }
        if (a instanceof MirrorAction.SendNotify n) {
            return "NOTIFY:" + n.state().format() + "/" + n.body().name().toLowerCase(Locale.ROOT);
        }
        if (a instanceof MirrorAction.RespondSip r) {
            return "RESPOND:" + r.status().code();
        }
        if (a instanceof MirrorAction.SendXmpp x) {
            return "xmpp:" + x.type().wireName();
        }
        if (a instanceof MirrorAction.SendXmppError e) {
            return "xmpp-error:" + e.error().condition().elementName();
        }
        if (a instanceof MirrorAction.ForwardNotifyPresence) {
            return "forward";
        }
        if (a instanceof MirrorAction.SendCachedPresence) {
            return "cached";
        }
        if (a instanceof MirrorAction.ProbeUserFromGateway) {
            return "probe-user";
        }
        if (a instanceof MirrorAction.ScheduleRefresh r) {
            return "refresh@" + r.expires();
        }
        if (a instanceof MirrorAction.ScheduleRetry r) {
            return "retry@" + (r.retryAfter().isPresent() ? String.valueOf(r.retryAfter().getAsLong()) : "backoff");
        }
        if (a instanceof MirrorAction.ScheduleExpiry e) {
            return "expiry@" + e.expires();
        }
        throw new IllegalArgumentException(a.toString());
    }

    static String actions(Transition t) {
        return t.actions().isEmpty() ? "-" : t.actions().stream().map(MachineNotation::action).collect(Collectors.joining(" "));
    }

    static String outbound(MirrorState s) {
        return s.outbound() + "/" + s.subscriber();
    }

    static String inbound(MirrorState s) {
        return s.inbound() + "/" + s.notifier();
    }

    static MirrorState withOutbound(MirrorState base, String half) {
        String[] p = half.split("/");
        return base.withOutbound(AuthorizationState.valueOf(p[0]), SubscriberDialog.valueOf(p[1]));
    }

    static MirrorState withInbound(MirrorState base, String half) {
        String[] p = half.split("/");
        return base.withInbound(AuthorizationState.valueOf(p[0]), NotifierDialog.valueOf(p[1]));
    }
}
