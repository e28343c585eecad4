package org.isthmus.mapping.address;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UProperty;
import com.ibm.icu.text.Normalizer2;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * Maps between JIDs and the addresses of the SIP side (RFC 7247 §6, XEP-0106) under the
 * {@link AddressRules} the configuration gives, per domain:
 * <ul>
 * <li>users of the XMPP domains keep their address ({@code alice@xmpp.example ⇄ sip:alice@xmpp.example});
 * <li>users of a federated SIP domain keep theirs too ({@code sip:juliet@example.com ⇄ juliet@example.com});
 * <li>users of a component-mode SIP domain appear as an escaped localpart of a component domain
 *     ({@code sip:romeo@sip.example ⇄ romeo\40sip.example@gw.xmpp.example});
 * <li>global telephone numbers ({@code tel:}, {@code user=phone}) appear as {@code +number@gw.xmpp.example}.
 * </ul>
 * With several component domains ({@link AddressRules#components}), the component is the one that
 * serves the XMPP counterpart's domain: the {@code toJid} overloads that take a counterpart domain
 * choose it, the others use the default; {@link #fromJid} accepts every component domain.
 * The SIP instance (GRUU {@code gr} parameter) maps to and from the resourcepart (RFC 7247 §6.3).
 * Every mapping is one to one: an address that maps is the canonical spelling of its counterpart, and
 * a JID that is not (e.g. {@code a\5cb} for the user {@code a\b}) is refused rather than conflated
 * with another, so one SIP identity never stands for two XMPP accounts.
 *
 * <p>Telephone numbers: RFC 7247 §6.1 puts "protocol-specific identifiers (such as telephone
 * numbers)" out of its scope, so this is the gateway's own rule. A global number is unique without
 * a context (RFC 3966 §5.1.4) and a {@code tel:} URI and its {@code user=phone} SIP form are one
 * number (RFC 3261 §19.1.6), so both map to one JID whose localpart is the number (RFC 7622 §3.3
 * allows {@code +}); the way back is {@code sip:+number@telephone-domain;user=phone} or
 * {@code tel:+number}. A local number has no meaning outside its context (RFC 3966 §5.1.5) and is
 * refused.
 */
public final class AddressMapper implements AddressMapping {

    private static final Normalizer2 NFKD = Normalizer2.getNFKDInstance();

    private final AddressRules rules;

    /** A mapper for the given rules. */
    public AddressMapper(AddressRules rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    /**
     * Component mode for every SIP domain ({@link AddressRules#component}).
     *
     * @param componentDomain the gateway's own XMPP domain (the XEP-0114 component's name)
     * @param xmppDomains     the XMPP domains whose users SIP users may reach through the gateway
     */
    public AddressMapper(String componentDomain, Set<String> xmppDomains) {
        this(AddressRules.component(componentDomain, xmppDomains));
    }

    public AddressRules rules() {
        return rules;
    }

    /** The default component domain. */
    public String componentDomain() {
        return rules.componentDomain();
    }

    /** Every component domain, the default first. */
    public Set<String> componentDomains() {
        return rules.componentDomains();
    }

    /** The component domain that serves a prepared XMPP user domain ({@link AddressRules#componentDomainFor}). */
    public String componentDomainFor(String xmppDomain) {
        return rules.componentDomainFor(xmppDomain);
    }

    /** True if {@code domain} (prepared form) is one of the configured XMPP user domains. */
    public boolean isXmppDomain(String domain) {
        return rules.isXmppDomain(domain);
    }

    /** The XMPP user domains, prepared. */
    public Set<String> xmppDomains() {
        return rules.xmppDomains();
    }

    /** Whether a neutral address belongs to a user of one of the XMPP domains. */
    public boolean isXmppUser(ImUri address) {
        return rules.isXmppDomain(address.host());
    }

    // From the SIP side to XMPP

    /**
     * The JID for any SIP-side URI: a {@code user=phone} SIP URI or a {@code tel:} URI as a telephone
     * number, a {@code pres:} URI as its {@code im:} address, anything else by {@link #toJid(ImUri)}.
     */
    public Mapped<Jid> toJid(AddressUri uri) {
        return toJidUnder(uri, rules.componentDomain());
    }

    /**
     * The JID for any SIP-side URI, as {@link #toJid(AddressUri)}, as seen by an XMPP user of
     * {@code counterpartDomain}: under the component domain that serves that domain.
     *
     * @param counterpartDomain the prepared domain of the XMPP user on the other end
     */
    public Mapped<Jid> toJid(AddressUri uri, String counterpartDomain) {
        return toJidUnder(uri, rules.componentDomainFor(counterpartDomain));
    }

    private Mapped<Jid> toJidUnder(AddressUri uri, String component) {
        if (uri instanceof ImUri im) {
            return jidUnder(im, component);
        }
        if (uri instanceof PresUri pres) {
            return jidUnder(pres.toIm(), component);
        }
        if (uri instanceof TelUri tel) {
            return numberJid(tel, Optional.empty(), component);
        }
        SipUri sip = (SipUri) uri;
        if (sip.isTelephoneNumber()) {
            Mapped<TelUri> tel = sip.telephoneNumber();
            // A user=phone URI whose user is no telephone-subscriber is taken as a user name.
            if (tel.isOk()) {
                return numberJid(tel.orThrow(), sip.parameter("gr").filter(g -> !g.isEmpty()), component);
            }
        }
        return ImUri.fromSip(sip).then(im -> jidUnder(im, component));
    }

    /**
     * The neutral address of a SIP URI, for every translator from the SIP side: a global number
     * ({@code user=phone}, RFC 3261 §19.1.6) becomes the number at the telephone domain, which
     * {@link #toJid(ImUri)} and {@link #toSipUri(ImUri)} treat as the number itself, so a caller has one
     * identity however it is written; anything else is {@link ImUri#fromSip}. Without a telephone domain
     * the neutral layer has no place for a bare number, and it stays a user of its SIP domain.
     */
    public Mapped<ImUri> fromSip(SipUri uri) {
        if (uri.isTelephoneNumber() && rules.telephoneDomain().isPresent()) {
            Mapped<TelUri> tel = uri.telephoneNumber();
            if (tel.isOk() && tel.orThrow().isGlobal()) {
                return Mapped.ok(new ImUri(numberLocalpart(tel.orThrow()), rules.telephoneDomain().get(),
                        uri.parameter("gr").filter(g -> !g.isEmpty())));
            }
        }
        return ImUri.fromSip(uri);
    }

    /**
     * The JID for a neutral address (RFC 7247 §6.4): the local part escaped per XEP-0106 (steps 3–5)
     * and prepared (step 6), under its own domain for an XMPP or federated domain, or together with
     * its domain under the default component domain; the instance becomes the resourcepart (step 8).
     */
    public Mapped<Jid> toJid(ImUri address) {
        return jidUnder(address, rules.componentDomain());
    }

    /**
     * The JID for a neutral address, as {@link #toJid(ImUri)}, as seen by an XMPP user of
     * {@code counterpartDomain}: a component-mode user or a telephone number appears under the
     * component domain that serves that domain (XEP-0114 §3: a component sends only from its own
     * domain), e.g. {@code bob\40sip.example@sip.b.example} for a message to {@code alice@b.example}.
     *
     * @param counterpartDomain the prepared domain of the XMPP user on the other end
     */
    public Mapped<Jid> toJid(ImUri address, String counterpartDomain) {
        return jidUnder(address, rules.componentDomainFor(counterpartDomain));
    }

    private Mapped<Jid> jidUnder(ImUri address, String component) {
        String host = address.host();
        Mapped<String> local;
        String domain;
        if (rules.isXmppDomain(host)) {
            local = localpart(address.user());
            domain = host;
        } else if (rules.isComponentDomain(host)) {
            return Mapped.rejected(StanzaErrorCondition.ITEM_NOT_FOUND,
                    "the gateway's own domain has no users: " + address);
        } else if (isNumberAt(address, host)) {
            return numberJid(TelUri.parseSubscriber(address.user()).orThrow(), address.instance(), component);
        } else {
            switch (rules.modeOf(host)) {
                case FEDERATION -> {
                    local = localpart(address.user());
                    domain = host;
                }
                case COMPONENT -> {
                    local = localpart(address.user() + "@" + host);
                    domain = component;
                }
                default -> {
                    return Mapped.rejected(StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND,
                            "the gateway does not serve SIP domain " + host);
                }
            }
        }
        if (!local.isOk()) {
            return local.map(l -> null);
        }
        return jid(local.orThrow(), domain, address.instance());
    }

    /** Whether the address is a global number at the telephone domain, which is the number itself. */
    private boolean isNumberAt(ImUri address, String host) {
        if (rules.telephoneDomain().isEmpty() || !rules.telephoneDomain().get().equals(host)
                || !address.user().startsWith("+")) {
            return false;
        }
        Mapped<TelUri> tel = TelUri.parseSubscriber(address.user());
        return tel.isOk() && tel.orThrow().isGlobal();
    }

    /**
     * The JID of a telephone number: {@code +digits[;ext=digits]@component-domain}. Parameters other
     * than {@code ext} ({@code isub}, trunk-group and other routing hints) are not carried.
     */
    private static Mapped<Jid> numberJid(TelUri tel, Optional<String> instance, String component) {
        if (!tel.isGlobal()) {
            return Mapped.rejected(StanzaErrorCondition.ITEM_NOT_FOUND, "local number " + tel
                    + " has no meaning outside its context (RFC 3966 §5.1.5); use the global number");
        }
        return Jid.prepareLocal(numberLocalpart(tel)).then(l -> jid(l, component, instance));
    }

    private static String numberLocalpart(TelUri tel) {
        return tel.extension().map(e -> tel.number() + ";ext=" + e).orElse(tel.number());
    }

    private static Mapped<Jid> jid(String preparedLocal, String domain, Optional<String> instance) {
        if (instance.isEmpty()) {
            return Mapped.ok(new Jid(Optional.of(preparedLocal), domain, Optional.empty()));
        }
        return Jid.prepareResource(instance.get()).map(r -> new Jid(Optional.of(preparedLocal), domain, Optional.of(r)));
    }

    /**
     * A foreign identifier as a prepared localpart: width-mapped first (RFC 7613's width mapping, so
     * a fullwidth {@code ＠} is escaped like {@code @}), escaped (XEP-0106 §4.2), then prepared (RFC
     * 7622 §3.3). Refused with {@code jid-malformed}, which RFC 7247 §7.1 renders as 400, when no
     * escaped form exists: a leading or trailing space (XEP-0106 §4.1 rule 6), a character the
     * UsernameCaseMapped profile disallows (symbols, controls, compatibility forms), more than 1023
     * octets, or an escape that preparation would merge with a following combining mark.
     */
    private static Mapped<String> localpart(String identifier) {
        Mapped<String> local = escapedAndPrepared(identifier);
        if (!local.isOk()) {
            return local;
        }
        String unescaped = JidEscaping.unescape(local.orThrow());
        if (JidEscaping.escape(unescaped).equals(local.orThrow())) {
            return local;
        }
        // Preparation changed what the escaping relied on (e.g. "\3a" and a combining acute became
        // "\3á", no longer an escape): the prepared identifier is the one to escape.
        Mapped<String> again = escapedAndPrepared(unescaped);
        if (again.isOk() && JidEscaping.escape(JidEscaping.unescape(again.orThrow())).equals(again.orThrow())) {
            return again;
        }
        return Mapped.rejected(StanzaErrorCondition.JID_MALFORMED,
                "'" + identifier + "' has no stable escaped form as a JID localpart");
    }

    private static Mapped<String> escapedAndPrepared(String identifier) {
        String mapped = widthMapped(identifier);
        if (JidEscaping.hasEdgeSpace(mapped)) {
            return Mapped.rejected(StanzaErrorCondition.JID_MALFORMED, "'" + identifier
                    + "' starts or ends with a space, which no JID localpart can hold (XEP-0106 §4.1 rule 6)");
        }
        String escaped = JidEscaping.escape(mapped);
        Mapped<String> prepared = Jid.prepareLocal(escaped);
        if (!prepared.isOk()) {
            return prepared;
        }
        if (escapeCount(prepared.orThrow()) != escapeCount(escaped)) {
            return Mapped.rejected(StanzaErrorCondition.JID_MALFORMED, "'" + identifier
                    + "' has an escaped character followed by a combining mark, which no JID localpart can hold");
        }
        return prepared;
    }

    private static String widthMapped(String s) {
        boolean any = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x3000 && isWidthForm(c)) {
                any = true;
                break;
            }
        }
        if (!any) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (isWidthForm(cp)) {
                sb.append(NFKD.getDecomposition(cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.toString();
    }

    private static boolean isWidthForm(int cp) {
        int type = UCharacter.getIntPropertyValue(cp, UProperty.DECOMPOSITION_TYPE);
        return type == UCharacter.DecompositionType.WIDE || type == UCharacter.DecompositionType.NARROW;
    }

    private static int escapeCount(String s) {
        int n = 0;
        for (int i = s.indexOf('\\'); i >= 0; i = s.indexOf('\\', i + 1)) {
            if (!JidEscaping.unescape(s.substring(i, Math.min(i + 3, s.length()))).startsWith("\\")) {
                n++;
            }
        }
        return n;
    }

    // From XMPP to the SIP side

    /**
     * The neutral address for a JID (RFC 7247 §6.5 steps 1–3): a JID of any component domain
     * unescapes to the foreign address or telephone number it stands for; a JID of an XMPP or
     * federated domain keeps its localpart, unescaped; the resourcepart becomes the instance. A JID
     * that is not the canonical form of its address is refused with {@code jid-malformed}, naming the
     * canonical form.
     */
    public Mapped<ImUri> fromJid(Jid jid) {
        Mapped<ImUri> address = neutral(jid);
        if (!address.isOk()) {
            return address;
        }
        String component = rules.isComponentDomain(jid.domain()) ? jid.domain() : rules.componentDomain();
        Mapped<Jid> back = jidUnder(address.orThrow(), component);
        if (!back.isOk()) {
            return back.map(b -> null);
        }
        if (!back.orThrow().equals(jid)) {
            return Mapped.rejected(StanzaErrorCondition.JID_MALFORMED, "'" + jid
                    + "' is not the canonical JID of " + address.orThrow() + "; write it as '" + back.orThrow() + "'");
        }
        return address;
    }

    private Mapped<ImUri> neutral(Jid jid) {
        if (jid.local().isEmpty()) {
            return Mapped.rejected(StanzaErrorCondition.SERVICE_UNAVAILABLE,
                    "no user at " + jid.domain() + " to translate");
        }
        String local = JidEscaping.unescape(jid.local().get());
        if (rules.isComponentDomain(jid.domain())) {
            return componentAddress(jid, local);
        }
        if (rules.isXmppDomain(jid.domain()) || rules.modeOf(jid.domain()) == SipDomainMode.FEDERATION) {
            return Mapped.ok(new ImUri(local, jid.domain(), jid.resource()));
        }
        return Mapped.rejected(StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND,
                "the gateway does not serve XMPP domain " + jid.domain());
    }

    private Mapped<ImUri> componentAddress(Jid jid, String local) {
        int at = local.lastIndexOf('@');
        if (at < 0 && local.startsWith("+")) {
            Mapped<TelUri> tel = TelUri.parseSubscriber(local);
            if (tel.isOk() && tel.orThrow().isGlobal()) {
                if (rules.telephoneDomain().isEmpty()) {
                    return Mapped.rejected(StanzaErrorCondition.ITEM_NOT_FOUND, "telephone number " + local
                            + " is reached as tel:" + local + ", not through a SIP domain (none is configured)");
                }
                return Mapped.ok(new ImUri(local, rules.telephoneDomain().get(), jid.resource()));
            }
        }
        if (at <= 0 || at == local.length() - 1) {
            return Mapped.rejected(StanzaErrorCondition.ITEM_NOT_FOUND,
                    "'" + jid.local().get() + "' is not an escaped user@domain address (XEP-0106: write @ as \\40)");
        }
        Mapped<String> host = Jid.prepareDomain(local.substring(at + 1));
        if (!host.isOk()) {
            return Mapped.rejected(StanzaErrorCondition.JID_MALFORMED,
                    "invalid domain in escaped address '" + local + "'");
        }
        String h = host.orThrow();
        if (rules.isXmppDomain(h) || rules.isComponentDomain(h)) {
            return Mapped.rejected(StanzaErrorCondition.ITEM_NOT_FOUND,
                    h + " is an XMPP domain: address its users directly, not through the gateway");
        }
        return switch (rules.modeOf(h)) {
            case COMPONENT -> Mapped.ok(new ImUri(local.substring(0, at), h, jid.resource()));
            case FEDERATION -> Mapped.rejected(StanzaErrorCondition.ITEM_NOT_FOUND,
                    h + " is federated: address its users directly, as " + local);
            case REFUSED -> Mapped.rejected(StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND,
                    "the gateway does not serve SIP domain " + h);
        };
    }

    /**
     * The SIP-side URI for a JID (RFC 7247 §6.5): the {@code sip:} URI of {@link #fromJid} with the
     * resourcepart as {@code gr} (step 8), or for a telephone number
     * {@code sip:+number@telephone-domain;user=phone} (RFC 3261 §19.1.6), or {@code tel:+number}
     * (RFC 3966) when no telephone domain is configured, which has no place for a resource.
     */
    public Mapped<AddressUri> toSipAddress(Jid jid) {
        // As in componentAddress: an escaped '@' makes the localpart a user at a domain, not a number.
        if (rules.isComponentDomain(jid.domain()) && jid.local().isPresent()
                && jid.local().get().startsWith("+") && rules.telephoneDomain().isEmpty()
                && JidEscaping.unescape(jid.local().get()).indexOf('@') < 0) {
            Mapped<TelUri> tel = TelUri.parseSubscriber(jid.local().get());
            if (tel.isOk() && tel.orThrow().isGlobal()) {
                Mapped<Jid> back = numberJid(tel.orThrow(), jid.resource(), jid.domain());
                if (back.isOk() && back.orThrow().equals(jid)) {
                    return Mapped.ok(tel.orThrow());
                }
                return Mapped.rejected(StanzaErrorCondition.JID_MALFORMED,
                        "'" + jid + "' is not the canonical JID of " + tel.orThrow());
            }
        }
        return fromJid(jid).map(this::toSipUri);
    }

    /**
     * The SIP URI of a neutral address: {@link ImUri#toSip()}, with {@code user=phone} added for a
     * global number at the telephone domain (RFC 3261 §19.1.1: "SHOULD be present").
     */
    public SipUri toSipUri(ImUri address) {
        SipUri sip = address.toSip();
        if (!isNumberAt(address, address.host())) {
            return sip;
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("user", "phone");
        params.putAll(sip.parameters());
        return new SipUri(false, sip.user(), sip.host(), OptionalInt.empty(), params);
    }
}
