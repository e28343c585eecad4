package org.isthmus.sip;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where and how the SIP edge listens, whom it trusts, and how it authenticates and routes.
 *
 * @param bindAddress    the local IP address to listen on, IPv4 or IPv6 (e.g. {@code ::1})
 * @param port           the port for UDP and TCP (RFC 3261 §19.1.2: 5060 by default)
 * @param transports     a non-empty subset of {@code udp}, {@code tcp} and {@code tls}; {@code tls}
 *                       needs {@link #tls()}
 * @param advertisedHost the host to put in Via sent-by when the bind address is not reachable as is
 *                       (a wildcard address, NAT); empty to use the bind address
 * @param userAgent      the User-Agent and Server header value (RFC 3261 §20.41, §20.35)
 * @param tls            the TLS listening point's port and certificates; empty for no TLS
 * @param trust          which requests claiming a served domain are believed (RFC 3325 §2.3 trust domain)
 * @param auth           digest credentials: the registrar's users, and the edge's own as a client
 * @param dns            how RFC 3263 lookups are made
 * @param presence       the notifier's subscription duration limits
 * @param logBodies      whether the SIP wire trace (at TRACE) and JAIN-SIP's own debug log may show
 *                       message bodies; off by default, so that turning a debug level on to find a fault
 *                       does not record what people wrote
 * @param messageLimits  what one received message may cost before it is parsed (size, header fields, time)
 */
public record SipSettings(String bindAddress, int port, Set<String> transports, Optional<String> advertisedHost,
                          String userAgent, Optional<SipTls> tls, SipTrust trust, SipAuth auth, SipDns dns,
                          SipPresence presence, boolean logBodies, SipMessageLimits messageLimits) {

    /** The default SIP port of RFC 3261 §19.1.2. */
    public static final int DEFAULT_PORT = 5060;

    /** The default SIPS (TLS) port of RFC 3261 §19.1.2. */
    public static final int DEFAULT_TLS_PORT = 5061;

    /** The transports the edge implements. */
    public static final Set<String> TRANSPORTS = Set.of("udp", "tcp", "tls");

    public SipSettings {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(transports, "transports");
        Objects.requireNonNull(advertisedHost, "advertisedHost");
        Objects.requireNonNull(userAgent, "userAgent");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(trust, "trust");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(dns, "dns");
        Objects.requireNonNull(presence, "presence");
        Objects.requireNonNull(messageLimits, "messageLimits");
        if (bindAddress.isBlank()) {
            throw new SipException("bindAddress is blank");
        }
        if (bindAddress.startsWith("[") && bindAddress.endsWith("]")) {
            bindAddress = bindAddress.substring(1, bindAddress.length() - 1);
        }
        if (port < 1 || port > 65535) {
            throw new SipException("SIP port out of range (JAIN-SIP cannot pick one itself): " + port);
        }
        Set<String> t = new TreeSet<>();
        for (String s : transports) {
            String lower = s.toLowerCase(Locale.ROOT);
            if (!TRANSPORTS.contains(lower)) {
                throw new SipException("unsupported SIP transport: " + s + " (udp, tcp and tls are)");
            }
            t.add(lower);
        }
        if (t.isEmpty()) {
            throw new SipException("no SIP transport configured");
        }
        if (t.contains("tls") && tls.isEmpty()) {
            throw new SipException("transport tls needs TLS settings (port, key, certificate chain)");
        }
        if (tls.isPresent() && !t.contains("tls")) {
            t.add("tls");
        }
        if (tls.isPresent() && tls.get().port() == port && (t.contains("tcp"))) {
            throw new SipException("TLS port " + port + " is the TCP port too");
        }
        transports = Set.copyOf(t);
        if (userAgent.isBlank() || userAgent.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new SipException("userAgent must be non-blank printable text");
        }
        if (advertisedHost.isPresent() && advertisedHost.get().isBlank()) {
            throw new SipException("advertisedHost is blank");
        }
    }

    /** Settings that log no message bodies, with the default {@link SipMessageLimits}. */
    public SipSettings(String bindAddress, int port, Set<String> transports, Optional<String> advertisedHost,
                       String userAgent, Optional<SipTls> tls, SipTrust trust, SipAuth auth, SipDns dns,
                       SipPresence presence) {
        this(bindAddress, port, transports, advertisedHost, userAgent, tls, trust, auth, dns, presence, false);
    }

    /** Settings with the default {@link SipMessageLimits}. */
    public SipSettings(String bindAddress, int port, Set<String> transports, Optional<String> advertisedHost,
                       String userAgent, Optional<SipTls> tls, SipTrust trust, SipAuth auth, SipDns dns,
                       SipPresence presence, boolean logBodies) {
        this(bindAddress, port, transports, advertisedHost, userAgent, tls, trust, auth, dns, presence, logBodies,
                SipMessageLimits.DEFAULT);
    }

    /**
     * The settings of the walking skeleton: no TLS, no trust checks, no digest credentials, DNS from the
     * system's resolver configuration.
     */
    public SipSettings(String bindAddress, int port, Set<String> transports, Optional<String> advertisedHost,
                       String userAgent) {
        this(bindAddress, port, transports, advertisedHost, userAgent, Optional.empty(), SipTrust.NONE, SipAuth.NONE,
                SipDns.SYSTEM, SipPresence.DEFAULT);
    }

    /** UDP and TCP on {@code port} of {@code bindAddress}, advertised as the bind address. */
    public static SipSettings of(String bindAddress, int port, String userAgent) {
        return new SipSettings(bindAddress, port, Set.of("udp", "tcp"), Optional.empty(), userAgent);
    }

    /** A copy with TLS on (its transport added to the set). */
    public SipSettings withTls(SipTls tls) {
        return new SipSettings(bindAddress, port, transports, advertisedHost, userAgent, Optional.of(tls), trust, auth,
                dns, presence, logBodies, messageLimits);
    }

    /** A copy with this trust policy. */
    public SipSettings withTrust(SipTrust trust) {
        return new SipSettings(bindAddress, port, transports, advertisedHost, userAgent, tls, trust, auth, dns, presence,
                logBodies, messageLimits);
    }

    /** A copy with these digest credentials. */
    public SipSettings withAuth(SipAuth auth) {
        return new SipSettings(bindAddress, port, transports, advertisedHost, userAgent, tls, trust, auth, dns, presence,
                logBodies, messageLimits);
    }

    /** A copy with this DNS configuration. */
    public SipSettings withDns(SipDns dns) {
        return new SipSettings(bindAddress, port, transports, advertisedHost, userAgent, tls, trust, auth, dns, presence,
                logBodies, messageLimits);
    }

    /** A copy with these presence limits. */
    public SipSettings withPresence(SipPresence presence) {
        return new SipSettings(bindAddress, port, transports, advertisedHost, userAgent, tls, trust, auth, dns,
                presence, logBodies, messageLimits);
    }

    /** A copy that may log message bodies, or not. */
    public SipSettings withLogBodies(boolean logBodies) {
        return new SipSettings(bindAddress, port, transports, advertisedHost, userAgent, tls, trust, auth, dns, presence,
                logBodies, messageLimits);
    }

    /** A copy with these message limits. */
    public SipSettings withMessageLimits(SipMessageLimits limits) {
        return new SipSettings(bindAddress, port, transports, advertisedHost, userAgent, tls, trust, auth, dns, presence,
                logBodies, limits);
    }

    /** The port a transport listens on: the TLS port for {@code tls}, {@link #port()} otherwise. */
    public int portOf(String transport) {
        return "tls".equalsIgnoreCase(transport) && tls.isPresent() ? tls.get().port() : port;
    }
}
