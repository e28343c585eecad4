package org.isthmus.mapping.address;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * Maps between JIDs and neutral {@link ImUri} addresses (RFC 7247 §6, XEP-0106), in component mode
 * (DESIGN.md): users of the configured XMPP domains keep their address ({@code alice@xmpp.example ⇄
 * im:alice@xmpp.example}); every other address appears in XMPP as an escaped localpart of the
 * gateway's component domain ({@code im:romeo@sip.example ⇄ romeo\40sip.example@gw.xmpp.example}).
 * An instance maps to and from the resourcepart (RFC 7247 §6.3).
 */
public final class AddressMapper {

    private final String componentDomain;
    private final Set<String> xmppDomains;

    /**
     * @param componentDomain the gateway's own XMPP domain (the XEP-0114 component's name)
     * @param xmppDomains     the XMPP domains whose users SIP users may reach through the gateway
     */
    public AddressMapper(String componentDomain, Set<String> xmppDomains) {
        this.componentDomain = domain(componentDomain);
        Set<String> d = new LinkedHashSet<>();
        xmppDomains.forEach(x -> d.add(domain(x)));
        if (d.contains(this.componentDomain)) {
            throw new MappingException("the component domain " + componentDomain + " cannot also be an XMPP user domain");
        }
        this.xmppDomains = Set.copyOf(d);
    }

    private static String domain(String d) {
        Objects.requireNonNull(d, "domain");
        return Jid.prepareDomain(d).orThrow();
    }

    public String componentDomain() {
        return componentDomain;
    }

    /** True if {@code domain} (prepared form) is one of the configured XMPP user domains. */
    public boolean isXmppDomain(String domain) {
        return xmppDomains.contains(domain);
    }

    /**
     * The JID for a neutral address (RFC 7247 §6.4): a user of an XMPP domain directly, with the
     * characters a localpart forbids escaped per XEP-0106; anyone else under the component domain.
     */
    public Mapped<Jid> toJid(ImUri address) {
        String resource = address.instance().orElse(null);
        Mapped<String> host = Jid.prepareDomain(address.host());
        if (!host.isOk()) {
            return host.map(h -> null);
        }
        if (xmppDomains.contains(host.orThrow())) {
            return Jid.of(JidEscaping.escape(address.user()), host.orThrow(), resource);
        }
        if (host.orThrow().equals(componentDomain)) {
            return Mapped.rejected(StanzaErrorCondition.ITEM_NOT_FOUND,
                    "the gateway's own domain has no users: " + address);
        }
        return Jid.of(JidEscaping.escape(address.user() + "@" + address.host()), componentDomain, resource);
    }

    /**
     * The neutral address for a JID (RFC 7247 §6.5): a component-domain JID unescapes to the foreign
     * address it stands for; a JID of a configured XMPP domain keeps its localpart, unescaped.
     */
    public Mapped<ImUri> fromJid(Jid jid) {
        if (jid.local().isEmpty()) {
            return Mapped.rejected(StanzaErrorCondition.SERVICE_UNAVAILABLE,
                    "no user at " + jid.domain() + " to translate");
        }
        String local = JidEscaping.unescape(jid.local().get());
        if (jid.domain().equals(componentDomain)) {
            int at = local.lastIndexOf('@');
            if (at <= 0 || at == local.length() - 1) {
                return Mapped.rejected(StanzaErrorCondition.ITEM_NOT_FOUND,
                        "'" + jid.local().get() + "' is not an escaped user@domain address (XEP-0106: write @ as \\40)");
            }
            Mapped<String> host = Jid.prepareDomain(local.substring(at + 1));
            if (!host.isOk()) {
                return Mapped.rejected(StanzaErrorCondition.JID_MALFORMED,
                        "invalid domain in escaped address '" + local + "'");
            }
            if (xmppDomains.contains(host.orThrow()) || host.orThrow().equals(componentDomain)) {
                return Mapped.rejected(StanzaErrorCondition.ITEM_NOT_FOUND,
                        host.orThrow() + " is an XMPP domain: address its users directly, not through the gateway");
            }
            return Mapped.ok(new ImUri(local.substring(0, at), host.orThrow(), jid.resource()));
        }
        if (xmppDomains.contains(jid.domain())) {
            return Mapped.ok(new ImUri(local, jid.domain(), jid.resource()));
        }
        return Mapped.rejected(StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND,
                "the gateway does not serve XMPP domain " + jid.domain());
    }

    /** The XMPP user domains, prepared. */
    public Set<String> xmppDomains() {
        return xmppDomains;
    }

    /** Whether a neutral address belongs to a user of one of the XMPP domains. */
    public boolean isXmppUser(ImUri address) {
        Mapped<String> host = Jid.prepareDomain(address.host());
        return host.isOk() && xmppDomains.contains(host.orThrow());
    }
}
