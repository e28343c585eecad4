package org.isthmus.gateway.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One entry of gateway.yaml's {@code partners} list: a peer network whose policy is set in one place.
 *
 * <p>An XMPP partner is a peer domain (server-to-server federation, and the users behind a component
 * link): whether streams with it are allowed (refused ones end with a {@code policy-violation} stream
 * error, RFC 6120 §4.9.3.14), whether they need TLS (RFC 7590), which authentication it may use (SASL
 * EXTERNAL, RFC 6120 §6.4 and XEP-0178, or dialback, XEP-0220), and its limits.
 *
 * <p>A SIP partner is a peer such as a proxy or an SBC, recognised by its source addresses or TLS
 * certificate name (RFC 5922 §7.1); a refused one also by its From domain. A refused partner gets 403
 * (RFC 3261 §21.4.4); one that must use TLS gets 403 over another transport; {@code auth} says whether
 * its addresses and/or its certificate name are trusted to send on behalf of served domains
 * ({@code sip.trust}); its limits replace the per-source ones, and all its addresses share them.
 *
 * @param kind       XMPP or SIP
 * @param domain     the XMPP peer domain, or the SIP partner's domain (its TLS name and From domain)
 * @param addresses  a SIP partner's addresses and CIDR blocks; empty for XMPP
 * @param allowed    whether it may exchange anything with the gateway
 * @param requireTls whether its connections must use TLS; empty leaves the default in force
 * @param auth       XMPP: {@code external}, {@code dialback}; SIP: {@code address}, {@code tls};
 *                   empty leaves the default in force
 * @param limits     the rates replacing the defaults for it (kind by kind)
 */
public record Partner(Kind kind, String domain, List<String> addresses, boolean allowed,
                      Optional<Boolean> requireTls, Set<String> auth, Limits limits) {

    /** Which protocol the partner speaks. */
    public enum Kind { XMPP, SIP }

    public Partner {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(domain, "domain");
        addresses = List.copyOf(addresses);
        Objects.requireNonNull(requireTls, "requireTls");
        auth = Set.copyOf(auth);
        Objects.requireNonNull(limits, "limits");
    }

    /** A name for logs and metrics-free diagnostics: {@code xmpp:domain} or {@code sip:domain}. */
    public String name() {
        return (kind == Kind.XMPP ? "xmpp:" : "sip:") + domain;
    }
}
