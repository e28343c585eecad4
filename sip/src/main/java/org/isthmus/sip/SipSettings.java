package org.isthmus.sip;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where and how the SIP edge listens.
 *
 * @param bindAddress    the local IP address to listen on
 * @param port           the port for every transport (RFC 3261 §19.1.2: 5060 by default)
 * @param transports     a non-empty subset of {@code udp} and {@code tcp}
 * @param advertisedHost the host to put in Via sent-by when the bind address is not reachable as is
 *                       (a wildcard address, NAT); empty to use the bind address
 * @param userAgent      the User-Agent and Server header value (RFC 3261 §20.41, §20.35)
 */
public record SipSettings(String bindAddress, int port, Set<String> transports, Optional<String> advertisedHost,
                          String userAgent) {

    /** The default SIP port of RFC 3261 §19.1.2. */
    public static final int DEFAULT_PORT = 5060;

    public SipSettings {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(transports, "transports");
        Objects.requireNonNull(advertisedHost, "advertisedHost");
        Objects.requireNonNull(userAgent, "userAgent");
        if (bindAddress.isBlank()) {
            throw new SipException("bindAddress is blank");
        }
        if (port < 1 || port > 65535) {
            throw new SipException("SIP port out of range (JAIN-SIP cannot pick one itself): " + port);
        }
        Set<String> t = new TreeSet<>();
        for (String s : transports) {
            String lower = s.toLowerCase(Locale.ROOT);
            if (!lower.equals("udp") && !lower.equals("tcp")) {
                throw new SipException("unsupported SIP transport: " + s + " (udp and tcp are)");
            }
            t.add(lower);
        }
        if (t.isEmpty()) {
            throw new SipException("no SIP transport configured");
        }
        transports = Set.copyOf(t);
        if (userAgent.isBlank() || userAgent.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new SipException("userAgent must be non-blank printable text");
        }
        if (advertisedHost.isPresent() && advertisedHost.get().isBlank()) {
            throw new SipException("advertisedHost is blank");
        }
    }

    /** UDP and TCP on {@code port} of {@code bindAddress}, advertised as the bind address. */
    public static SipSettings of(String bindAddress, int port, String userAgent) {
        return new SipSettings(bindAddress, port, Set.of("udp", "tcp"), Optional.empty(), userAgent);
    }
}
