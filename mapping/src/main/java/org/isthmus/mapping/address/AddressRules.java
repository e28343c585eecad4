package org.isthmus.mapping.address;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.MappingException;

/**
 * The address rules the gateway's configuration supplies to {@link AddressMapper}: which domains hold
 * XMPP users, which component domains the gateway speaks for and which XMPP user domains each serves,
 * and per SIP domain whether its users appear in XMPP by federation or under a component domain
 * (DESIGN.md; RFC 7247 §5 and §6). Every domain is held prepared (as a {@link Jid} domainpart); the
 * compact constructor refuses overlaps that would route an address back into the gateway (a loop).
 *
 * <p>Several component domains: a deployment may attach the gateway to several XMPP servers (or
 * virtual hosts), each through its own XEP-0114 component. A component may write stanzas only from
 * its own domain (XEP-0114 §3), and a server routes to a component it hosts, so a SIP user talking
 * to {@code alice@b.example} appears under the component that serves {@code b.example}:
 * {@code bob\40sip.example@sip.b.example}. {@link #componentDomain} is the default: it serves every XMPP
 * user domain that no component lists, and telephone numbers and users of non-XMPP counterparts
 * appear under it when no counterpart tells otherwise.
 *
 * @param componentDomain the gateway's default XMPP domain (an XEP-0114 component's name); SIP users
 *                        in component mode and telephone numbers appear under it unless their XMPP
 *                        counterpart's domain is served by another component
 * @param xmppDomains     the XMPP domains whose users keep their address on the SIP side
 * @param sipDomains      SIP domains with a mode of their own
 * @param otherSipDomains the mode of every other domain
 * @param telephoneDomain the SIP domain that reaches telephone numbers: a number is sent as
 *                        {@code sip:+number@domain;user=phone}; without it, as {@code tel:+number}
 * @param components      every component domain, the default first, with the XMPP user domains it
 *                        serves by name; a user domain is served by at most one component, and the
 *                        default also serves every user domain no component names
 */
public record AddressRules(String componentDomain, Set<String> xmppDomains, Map<String, SipDomainMode> sipDomains,
                           SipDomainMode otherSipDomains, Optional<String> telephoneDomain,
                           Map<String, Set<String>> components) {

    public AddressRules {
        Objects.requireNonNull(otherSipDomains, "otherSipDomains");
        componentDomain = domain(componentDomain);
        Set<String> x = new LinkedHashSet<>();
        xmppDomains.forEach(d -> x.add(domain(d)));
        Map<String, SipDomainMode> s = new LinkedHashMap<>();
        sipDomains.forEach((d, m) -> s.put(domain(d), Objects.requireNonNull(m, "mode of " + d)));
        telephoneDomain = telephoneDomain.map(AddressRules::domain);
        Map<String, Set<String>> c = preparedComponents(componentDomain, components, x);
        for (String component : c.keySet()) {
            if (x.contains(component)) {
                throw new MappingException("the component domain " + component + " cannot also be an XMPP user domain");
            }
            if (s.containsKey(component)) {
                throw new MappingException("the component domain " + component + " cannot also be a SIP domain");
            }
        }
        for (String d : s.keySet()) {
            if (x.contains(d)) {
                throw new MappingException(d + " cannot be both an XMPP user domain and a SIP domain");
            }
        }
        if (telephoneDomain.isPresent()
                && (x.contains(telephoneDomain.get()) || c.containsKey(telephoneDomain.get()))) {
            throw new MappingException("the telephone domain " + telephoneDomain.get()
                    + " is an XMPP domain; numbers sent there would come back to the gateway");
        }
        xmppDomains = Collections.unmodifiableSet(x);
        sipDomains = Collections.unmodifiableMap(s);
        components = Collections.unmodifiableMap(c);
    }

    /** Rules with one component domain, {@code componentDomain}, serving every XMPP user domain. */
    public AddressRules(String componentDomain, Set<String> xmppDomains, Map<String, SipDomainMode> sipDomains,
                        SipDomainMode otherSipDomains, Optional<String> telephoneDomain) {
        this(componentDomain, xmppDomains, sipDomains, otherSipDomains, telephoneDomain, Map.of());
    }

    /**
     * The components prepared, the default first; each served domain must be a user domain and be
     * served by one component only, or a stanza for its users would have two senders' domains.
     */
    private static Map<String, Set<String>> preparedComponents(String defaultDomain, Map<String, Set<String>> given,
                                                               Set<String> xmppDomains) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        out.put(defaultDomain, new LinkedHashSet<>());
        Map<String, String> servedBy = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        given.forEach((component, served) -> {
            String c = domain(component);
            if (!seen.add(c)) {
                throw new MappingException("the component domain " + c + " is given twice");
            }
            Set<String> set = out.computeIfAbsent(c, k -> new LinkedHashSet<>());
            for (String d : served) {
                String u = domain(d);
                if (!xmppDomains.contains(u)) {
                    throw new MappingException(u + " is served by the component " + c
                            + " but is not an XMPP user domain");
                }
                String other = servedBy.putIfAbsent(u, c);
                if (other != null && !other.equals(c)) {
                    throw new MappingException(u + " is served by two components, " + other + " and " + c);
                }
                set.add(u);
            }
        });
        out.replaceAll((k, v) -> Collections.unmodifiableSet(v));
        return out;
    }

    /**
     * Component mode for every SIP domain: the walking skeleton's deployment (an XEP-0114 component in
     * front of one XMPP server), and the defaults the other {@code with} methods change.
     */
    public static AddressRules component(String componentDomain, Set<String> xmppDomains) {
        return new AddressRules(componentDomain, xmppDomains, Map.of(), SipDomainMode.COMPONENT, Optional.empty());
    }

    /**
     * A copy with one more component domain that serves {@code servedDomains}, which become XMPP user
     * domains if they were not; for the default's own domain, the domains it serves by name grow.
     */
    public AddressRules withComponent(String component, Set<String> servedDomains) {
        Set<String> x = new LinkedHashSet<>(xmppDomains);
        servedDomains.forEach(d -> x.add(domain(d)));
        Map<String, Set<String>> c = new LinkedHashMap<>();
        components.forEach((k, v) -> c.put(k, new LinkedHashSet<>(v)));
        c.computeIfAbsent(domain(component), k -> new LinkedHashSet<>()).addAll(servedDomains);
        return new AddressRules(componentDomain, x, sipDomains, otherSipDomains, telephoneDomain, c);
    }

    /** A copy in which {@code sipDomain} has {@code mode}. */
    public AddressRules withSipDomain(String sipDomain, SipDomainMode mode) {
        Map<String, SipDomainMode> s = new LinkedHashMap<>(sipDomains);
        s.put(domain(sipDomain), mode);
        return new AddressRules(componentDomain, xmppDomains, s, otherSipDomains, telephoneDomain, components);
    }

    /** A copy in which each of {@code domains} is federated (RFC 7247 §6). */
    public AddressRules withFederatedDomains(Set<String> domains) {
        Map<String, SipDomainMode> s = new LinkedHashMap<>(sipDomains);
        domains.forEach(d -> s.put(domain(d), SipDomainMode.FEDERATION));
        return new AddressRules(componentDomain, xmppDomains, s, otherSipDomains, telephoneDomain, components);
    }

    /** A copy with another mode for the SIP domains not listed. */
    public AddressRules withOtherSipDomains(SipDomainMode mode) {
        return new AddressRules(componentDomain, xmppDomains, sipDomains, mode, telephoneDomain, components);
    }

    /** A copy that sends telephone numbers to {@code sip:+number@domain;user=phone}. */
    public AddressRules withTelephoneDomain(String domain) {
        return new AddressRules(componentDomain, xmppDomains, sipDomains, otherSipDomains, Optional.of(domain),
                components);
    }

    /** Whether {@code domain} (prepared) holds XMPP users. */
    public boolean isXmppDomain(String domain) {
        return xmppDomains.contains(domain);
    }

    /** Every component domain, the default first. */
    public Set<String> componentDomains() {
        return components.keySet();
    }

    /** Whether {@code domain} (prepared) is one of the component domains. */
    public boolean isComponentDomain(String domain) {
        return components.containsKey(domain);
    }

    /**
     * The component domain that serves a prepared XMPP user domain: the one that names it, else the
     * default. Any other domain (a SIP domain, an unknown one) gets the default as well.
     */
    public String componentDomainFor(String xmppDomain) {
        for (Map.Entry<String, Set<String>> c : components.entrySet()) {
            if (c.getValue().contains(xmppDomain)) {
                return c.getKey();
            }
        }
        return componentDomain;
    }

    /**
     * The XMPP user domains a component serves: those it names, and for the default also every user
     * domain no component names; empty for a domain that is no component.
     */
    public Set<String> domainsServedBy(String component) {
        Set<String> out = new LinkedHashSet<>();
        for (String d : xmppDomains) {
            if (componentDomainFor(d).equals(component)) {
                out.add(d);
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /**
     * The mode of a prepared domain that is neither an XMPP domain nor a component domain; for
     * those the answer is {@link SipDomainMode#REFUSED}, as no SIP user lives there.
     */
    public SipDomainMode modeOf(String domain) {
        if (xmppDomains.contains(domain) || components.containsKey(domain)) {
            return SipDomainMode.REFUSED;
        }
        return sipDomains.getOrDefault(domain, otherSipDomains);
    }

    private static String domain(String d) {
        Objects.requireNonNull(d, "domain");
        Mapped<String> prepared = Jid.prepareDomain(d);
        if (!prepared.isOk()) {
            throw new MappingException("not a domain name: " + d);
        }
        return prepared.orThrow();
    }
}
