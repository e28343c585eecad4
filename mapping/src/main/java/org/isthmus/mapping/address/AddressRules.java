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
 * XMPP users, and per SIP domain whether its users appear in XMPP by federation or under the
 * gateway's component domain (DESIGN.md; RFC 7247 §5 and §6). Every domain is held prepared (as a
 * {@link Jid} domainpart); the compact constructor refuses overlaps that would route an address back
 * into the gateway (a loop).
 *
 * @param componentDomain the gateway's own XMPP domain (the XEP-0114 component's name); SIP users in
 *                        component mode and telephone numbers appear under it
 * @param xmppDomains     the XMPP domains whose users keep their address on the SIP side
 * @param sipDomains      SIP domains with a mode of their own
 * @param otherSipDomains the mode of every other domain
 * @param telephoneDomain the SIP domain that reaches telephone numbers: a number is sent as
 *                        {@code sip:+number@domain;user=phone}; without it, as {@code tel:+number}
 */
public record AddressRules(String componentDomain, Set<String> xmppDomains, Map<String, SipDomainMode> sipDomains,
                           SipDomainMode otherSipDomains, Optional<String> telephoneDomain) {

    public AddressRules {
        Objects.requireNonNull(otherSipDomains, "otherSipDomains");
        componentDomain = domain(componentDomain);
        Set<String> x = new LinkedHashSet<>();
        xmppDomains.forEach(d -> x.add(domain(d)));
        Map<String, SipDomainMode> s = new LinkedHashMap<>();
        sipDomains.forEach((d, m) -> s.put(domain(d), Objects.requireNonNull(m, "mode of " + d)));
        telephoneDomain = telephoneDomain.map(AddressRules::domain);
        if (x.contains(componentDomain)) {
            throw new MappingException("the component domain " + componentDomain + " cannot also be an XMPP user domain");
        }
        if (s.containsKey(componentDomain)) {
            throw new MappingException("the component domain " + componentDomain + " cannot also be a SIP domain");
        }
        for (String d : s.keySet()) {
            if (x.contains(d)) {
                throw new MappingException(d + " cannot be both an XMPP user domain and a SIP domain");
            }
        }
        if (telephoneDomain.isPresent()
                && (x.contains(telephoneDomain.get()) || telephoneDomain.get().equals(componentDomain))) {
            throw new MappingException("the telephone domain " + telephoneDomain.get()
                    + " is an XMPP domain; numbers sent there would come back to the gateway");
        }
        xmppDomains = Collections.unmodifiableSet(x);
        sipDomains = Collections.unmodifiableMap(s);
    }

    /**
     * Component mode for every SIP domain: the walking skeleton's deployment (an XEP-0114 component in
     * front of one XMPP server), and the defaults the other {@code with} methods change.
     */
    public static AddressRules component(String componentDomain, Set<String> xmppDomains) {
        return new AddressRules(componentDomain, xmppDomains, Map.of(), SipDomainMode.COMPONENT, Optional.empty());
    }

    /** A copy in which {@code sipDomain} has {@code mode}. */
    public AddressRules withSipDomain(String sipDomain, SipDomainMode mode) {
        Map<String, SipDomainMode> s = new LinkedHashMap<>(sipDomains);
        s.put(domain(sipDomain), mode);
        return new AddressRules(componentDomain, xmppDomains, s, otherSipDomains, telephoneDomain);
    }

    /** A copy in which each of {@code domains} is federated (RFC 7247 §6). */
    public AddressRules withFederatedDomains(Set<String> domains) {
        Map<String, SipDomainMode> s = new LinkedHashMap<>(sipDomains);
        domains.forEach(d -> s.put(domain(d), SipDomainMode.FEDERATION));
        return new AddressRules(componentDomain, xmppDomains, s, otherSipDomains, telephoneDomain);
    }

    /** A copy with another mode for the SIP domains not listed. */
    public AddressRules withOtherSipDomains(SipDomainMode mode) {
        return new AddressRules(componentDomain, xmppDomains, sipDomains, mode, telephoneDomain);
    }

    /** A copy that sends telephone numbers to {@code sip:+number@domain;user=phone}. */
    public AddressRules withTelephoneDomain(String domain) {
        return new AddressRules(componentDomain, xmppDomains, sipDomains, otherSipDomains, Optional.of(domain));
    }

    /** Whether {@code domain} (prepared) holds XMPP users. */
    public boolean isXmppDomain(String domain) {
        return xmppDomains.contains(domain);
    }

    /**
     * The mode of a prepared domain that is neither an XMPP domain nor the component domain; for
     * those two the answer is {@link SipDomainMode#REFUSED}, as no SIP user lives there.
     */
    public SipDomainMode modeOf(String domain) {
        if (xmppDomains.contains(domain) || domain.equals(componentDomain)) {
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
