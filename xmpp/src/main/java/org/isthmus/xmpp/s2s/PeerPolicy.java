package org.isthmus.xmpp.s2s;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What Isthmus demands of one peer domain's streams, in both directions.
 *
 * @param tls     whether the stream must be encrypted (RFC 6120 §5.3.1 mandatory-to-negotiate)
 * @param methods the ways the peer may prove its domain; at least one
 */
public record PeerPolicy(TlsRequirement tls, Set<AuthMethod> methods) {

    /** Whether TLS is required on a stream with the peer. */
    public enum TlsRequirement {
        /** The stream fails without TLS (RFC 7590 §3: the recommended setting). */
        REQUIRED,
        /** TLS is used when both sides offer it; a plain stream is accepted. */
        OPTIONAL
    }

    /** How a peer domain is authenticated. */
    public enum AuthMethod {
        /** SASL EXTERNAL with the domain's PKIX certificate (RFC 6120 §6, XEP-0178). */
        EXTERNAL,
        /** Server Dialback (XEP-0220), which proves the domain through its authoritative server. */
        DIALBACK
    }

    /** TLS required, EXTERNAL or dialback accepted: the usual policy of public servers. */
    public static final PeerPolicy DEFAULT = new PeerPolicy(TlsRequirement.REQUIRED,
            EnumSet.of(AuthMethod.EXTERNAL, AuthMethod.DIALBACK));

    public PeerPolicy {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(methods, "methods");
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("at least one authentication method is needed");
        }
        methods = Set.copyOf(methods);
    }

    /** Whether the policy accepts this method. */
    public boolean accepts(AuthMethod method) {
        return methods.contains(method);
    }

    /** Whether a stream without TLS is refused. */
    public boolean tlsRequired() {
        return tls == TlsRequirement.REQUIRED;
    }
}
