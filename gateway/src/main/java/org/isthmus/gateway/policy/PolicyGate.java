package org.isthmus.gateway.policy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.gateway.config.LimitSettings;
import org.isthmus.gateway.config.Limits;
import org.isthmus.gateway.config.Partner;
import org.isthmus.gateway.config.Rate;
import org.isthmus.gateway.config.Traffic;
import org.isthmus.gateway.metrics.GatewayMeters;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.message.MessageType;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.mapping.presence.PresenceType;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.subscription.XmppSubscription;
import org.isthmus.mapping.subscription.XmppSubscriptionType;
import org.isthmus.sip.RegisterOutcome;
import org.isthmus.sip.SipHandler;
import org.isthmus.sip.SipRefusal;
import org.isthmus.sip.SipRegistration;
import org.isthmus.sip.SipSource;
import org.isthmus.sip.SipTrust;
import org.isthmus.sip.presence.NotifyRequest;
import org.isthmus.sip.presence.SubscribeDecision;
import org.isthmus.sip.presence.SubscribeRequest;
import org.isthmus.xmpp.XmppHandler;

/**
 * The gateway's door: what both edges hand up passes the partner policy and the abuse limits here
 * before it reaches the router. Cheap by design: a map lookup and a token bucket per check, no I/O.
 *
 * <p>SIP ({@link #admit}, asked by the edge before it parses a request further): a refused partner,
 * or one that must use TLS and did not, gets 403 (RFC 3261 §21.4.4); a source address (or partner),
 * an XMPP user, or for a REGISTER its address of record, over its rate gets 503 with Retry-After
 * (RFC 3261 §21.5.4, §20.33). 503 rather than a 4xx: the condition passes, and Retry-After tells a
 * well-behaved client when. A REGISTER is limited before its digest is checked, so a storm of them
 * costs no hashing.
 *
 * <p>XMPP: a stanza from a refused partner domain gets a {@code policy-violation} error (RFC 6120
 * §8.3.3.12); one over the rate of its domain or of its sender a {@code resource-constraint} error of
 * type {@code wait} (§8.3.3.18). Error stanzas pass unchecked: answering an error with an error could
 * loop (RFC 6120 §8.3.1).
 *
 * <p>The rules are replaced as a whole by {@link #update} (a configuration reload); the buckets are
 * kept, and a key whose rate changed starts a new one.
 */
public final class PolicyGate implements SipHandler, XmppHandler {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyGate.class);

    /** Where refused XMPP stanzas' error replies go. */
    public interface XmppReplies {
        void message(XmppMessage reply);

        void presence(XmppPresence reply);

        void subscription(XmppSubscription reply);
    }

    /** The scopes limits apply in, as metric tags. */
    public enum Scope {
        SIP_SOURCE, XMPP_DOMAIN, XMPP_USER, SIP_AOR, PARTNER;

        /** The metric tag. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final SipHandler sip;
    private final XmppHandler xmpp;
    private final XmppReplies replies;
    private final GatewayMeters meters;
    private volatile Rules rules;

    /**
     * @param sip      where admitted SIP requests go (the router)
     * @param xmpp     where admitted XMPP stanzas go (the router)
     * @param replies  sends the error replies to refused stanzas
     * @param limits   the abuse limits
     * @param partners the partner policy
     * @param meters   counts what is refused, and gauges the keys tracked
     */
    public PolicyGate(SipHandler sip, XmppHandler xmpp, XmppReplies replies, LimitSettings limits,
                      List<Partner> partners, GatewayMeters meters) {
        this.sip = Objects.requireNonNull(sip, "sip");
        this.xmpp = Objects.requireNonNull(xmpp, "xmpp");
        this.replies = Objects.requireNonNull(replies, "replies");
        this.meters = Objects.requireNonNull(meters, "meters");
        this.rules = Rules.of(limits, partners, Optional.empty());
        for (Scope scope : List.of(Scope.SIP_SOURCE, Scope.XMPP_DOMAIN, Scope.XMPP_USER, Scope.SIP_AOR)) {
            meters.limitKeys(scope.tag(), () -> rules.limiter(scope).size());
        }
    }

    /** Applies new limits and partners from now on (a configuration reload). */
    public void update(LimitSettings limits, List<Partner> partners) {
        rules = Rules.of(limits, partners, Optional.of(rules));
    }

    // ---- From SIP ----------------------------------------------------------------------------------

    @Override
    public Optional<SipRefusal> admit(SipSource source) {
        Rules r = rules;
        Optional<SipPartner> partner = r.sipPartner(source);
        if (partner.isPresent() && !partner.get().partner().allowed()) {
            return refuseSip(source, Scope.PARTNER, "other", "partner " + partner.get().partner().name() + " is refused");
        }
        if (partner.isEmpty() && source.fromHost().isPresent() && r.refusedSipDomains.contains(source.fromHost().get())) {
            return refuseSip(source, Scope.PARTNER, "other", "From domain " + source.fromHost().get() + " is refused");
        }
        if (partner.isPresent() && partner.get().partner().requireTls().orElse(false) && !source.isTls()) {
            return refuseSip(source, Scope.PARTNER, "other", "partner " + partner.get().partner().name()
                    + " must use TLS");
        }
        Traffic traffic = switch (source.method()) {
            case "MESSAGE" -> Traffic.MESSAGES;
            case "SUBSCRIBE" -> Traffic.SUBSCRIPTIONS;
            case "NOTIFY" -> Traffic.PRESENCE;
            case "REGISTER" -> Traffic.REGISTRATIONS;
            default -> null;
        };
        if (traffic == null) {
            return Optional.empty();
        }
        long now = System.nanoTime();
        Limits sourceLimits = partner.map(p -> r.limits.sipSource().overriddenBy(p.partner().limits()))
                .orElse(r.limits.sipSource());
        String sourceKey = partner.map(p -> "partner " + p.partner().name()).orElse(source.address().getHostAddress());
        OptionalLong wait = take(r, Scope.SIP_SOURCE, sourceKey, sourceLimits.rate(traffic), now);
        if (wait.isPresent()) {
            return busy(source, Scope.SIP_SOURCE, traffic, wait.getAsLong());
        }
        if (source.recipient().isPresent()) {
            // A REGISTER's recipient is the address of record it binds (RFC 3261 §10.2), not an XMPP user.
            Scope scope = traffic == Traffic.REGISTRATIONS ? Scope.SIP_AOR : Scope.XMPP_USER;
            Limits limits = scope == Scope.SIP_AOR ? r.limits.sipAor() : r.limits.xmppUser();
            wait = take(r, scope, source.recipient().get().toLowerCase(Locale.ROOT), limits.rate(traffic), now);
            if (wait.isPresent()) {
                return busy(source, scope, traffic, wait.getAsLong());
            }
        }
        return Optional.empty();
    }

    private Optional<SipRefusal> refuseSip(SipSource source, Scope scope, String kind, String why) {
        meters.policyRefused(scope.tag(), kind);
        LOG.info("SIP {} from {} refused with 403: {}", source.method(), source.address().getHostAddress(), why);
        return Optional.of(SipRefusal.of(403));
    }

    private Optional<SipRefusal> busy(SipSource source, Scope scope, Traffic traffic, long waitNanos) {
        meters.policyRefused(scope.tag(), traffic.key());
        LOG.debug("SIP {} from {} over the {} limit of {}", source.method(), source.address().getHostAddress(),
                traffic.key(), scope.tag());
        return Optional.of(SipRefusal.busy(retryAfterSeconds(waitNanos)));
    }

    /** Whole seconds, rounded up, at least 1 (RFC 3261 §20.33: delta-seconds). */
    static int retryAfterSeconds(long waitNanos) {
        return (int) Math.max(1, Math.min(86_400, (waitNanos + TimeUnit.SECONDS.toNanos(1) - 1)
                / TimeUnit.SECONDS.toNanos(1)));
    }

    @Override
    public CompletionStage<SipStatus> onMessage(SipPagerMessage message) {
        return sip.onMessage(message);
    }

    @Override
    public CompletionStage<RegisterOutcome> onRegister(SipRegistration registration) {
        return sip.onRegister(registration);
    }

    @Override
    public CompletionStage<SubscribeDecision> onSubscribe(SubscribeRequest request) {
        return sip.onSubscribe(request);
    }

    @Override
    public CompletionStage<SipStatus> onNotify(NotifyRequest request) {
        return sip.onNotify(request);
    }

    // ---- From XMPP ---------------------------------------------------------------------------------

    @Override
    public void onMessage(XmppMessage message) {
        if (message.type() != MessageType.ERROR) {
            Optional<StanzaError> refused = check(message.from(), Traffic.MESSAGES);
            if (refused.isPresent()) {
                replies.message(message.errorReply(refused.get()));
                return;
            }
        }
        xmpp.onMessage(message);
    }

    @Override
    public void onPresence(XmppPresence presence) {
        if (presence.type() != PresenceType.ERROR) {
            Optional<StanzaError> refused = check(presence.from(), Traffic.PRESENCE);
            if (refused.isPresent()) {
                replies.presence(new XmppPresence(presence.to(), presence.from(), presence.id(), PresenceType.ERROR,
                        Optional.empty(), Optional.empty(), List.of(), 0, Optional.empty(), refused));
                return;
            }
        }
        xmpp.onPresence(presence);
    }

    @Override
    public void onSubscription(XmppSubscription subscription) {
        if (subscription.type() != XmppSubscriptionType.ERROR) {
            Optional<StanzaError> refused = check(subscription.from(), Traffic.SUBSCRIPTIONS);
            if (refused.isPresent()) {
                replies.subscription(subscription.errorReply(refused.get()));
                return;
            }
        }
        xmpp.onSubscription(subscription);
    }

    @Override
    public void onLinkStateChanged(String domain, boolean up, String reason) {
        xmpp.onLinkStateChanged(domain, up, reason);
    }

    /** The error for a stanza from {@code from}, if the policy or a limit refuses it. */
    private Optional<StanzaError> check(Jid from, Traffic traffic) {
        Rules r = rules;
        String domain = from.domain();
        Partner partner = r.xmppPartners.get(domain);
        if (partner != null && !partner.allowed()) {
            meters.policyRefused(Scope.PARTNER.tag(), traffic.key());
            LOG.info("XMPP {} from {} refused: partner {} is refused", traffic.key(), from, partner.name());
            return Optional.of(StanzaError.of(StanzaErrorCondition.POLICY_VIOLATION,
                    "this gateway does not accept traffic from " + domain));
        }
        long now = System.nanoTime();
        Limits domainLimits = partner == null ? r.limits.xmppDomain() : r.limits.xmppDomain().overriddenBy(partner.limits());
        if (take(r, Scope.XMPP_DOMAIN, domain, domainLimits.rate(traffic), now).isPresent()) {
            return limited(from, Scope.XMPP_DOMAIN, traffic);
        }
        if (take(r, Scope.XMPP_USER, from.bare().toString().toLowerCase(Locale.ROOT), r.limits.xmppUser().rate(traffic),
                now).isPresent()) {
            return limited(from, Scope.XMPP_USER, traffic);
        }
        return Optional.empty();
    }

    private Optional<StanzaError> limited(Jid from, Scope scope, Traffic traffic) {
        meters.policyRefused(scope.tag(), traffic.key());
        LOG.debug("XMPP {} from {} over the {} limit", traffic.key(), from, scope.tag());
        return Optional.of(StanzaError.of(StanzaErrorCondition.RESOURCE_CONSTRAINT,
                "too many " + traffic.key() + " from " + (scope == Scope.XMPP_DOMAIN ? from.domain() : from.bare())
                        + "; try again later"));
    }

    private static OptionalLong take(Rules r, Scope scope, String key, Optional<Rate> rate, long now) {
        return rate.isEmpty() ? OptionalLong.empty() : r.limiter(scope).take(key, rate.get(), now);
    }

    /** A SIP partner with the trust matcher of its addresses and TLS name. */
    private record SipPartner(Partner partner, SipTrust matcher) {
        boolean matches(SipSource source) {
            return matcher.trustsAddress(source.address())
                    || (source.isTls() && matcher.trustsTlsIdentity(source.tlsIdentities()));
        }
    }

    /** The rules in force: limits, partners by key, and the buckets. */
    private record Rules(LimitSettings limits, Map<String, Partner> xmppPartners, List<SipPartner> sipPartners,
                         Set<String> refusedSipDomains, KeyedLimiter sipSources, KeyedLimiter domains,
                         KeyedLimiter users, KeyedLimiter aors) {

        static Rules of(LimitSettings limits, List<Partner> partners, Optional<Rules> previous) {
            Map<String, Partner> xmpp = new LinkedHashMap<>();
            List<SipPartner> sip = new java.util.ArrayList<>();
            Set<String> refusedDomains = new java.util.HashSet<>();
            for (Partner p : partners) {
                if (p.kind() == Partner.Kind.XMPP) {
                    xmpp.put(p.domain(), p);
                } else {
                    sip.add(new SipPartner(p, new SipTrust(Set.of(), p.addresses(), Set.of(p.domain()))));
                    if (!p.allowed()) {
                        refusedDomains.add(p.domain().toLowerCase(Locale.ROOT));
                    }
                }
            }
            boolean keep = previous.isPresent() && previous.get().limits.maxTracked() == limits.maxTracked();
            return new Rules(limits, Map.copyOf(xmpp), List.copyOf(sip), Set.copyOf(refusedDomains),
                    keep ? previous.get().sipSources : new KeyedLimiter(limits.maxTracked()),
                    keep ? previous.get().domains : new KeyedLimiter(limits.maxTracked()),
                    keep ? previous.get().users : new KeyedLimiter(limits.maxTracked()),
                    keep ? previous.get().aors : new KeyedLimiter(limits.maxTracked()));
        }

        Optional<SipPartner> sipPartner(SipSource source) {
            for (SipPartner p : sipPartners) {
                if (p.matches(source)) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }

        KeyedLimiter limiter(Scope scope) {
            return switch (scope) {
                case SIP_SOURCE -> sipSources;
                case XMPP_DOMAIN -> domains;
                case SIP_AOR -> aors;
                default -> users;
            };
        }
    }
}
