package org.isthmus.xmpp;

import java.time.Duration;
import java.util.Objects;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.Jid;
import org.isthmus.xmpp.stream.XmppStreamDecoder;

/**
 * Where and how an external component (XEP-0114) connects to its XMPP server.
 *
 * @param host           the XMPP server's host name or address
 * @param port           its component port (Prosody's default is 5347)
 * @param domain         the component's domain, as configured on the server
 * @param secret         the shared secret of the handshake (XEP-0114 §3)
 * @param initialBackoff the first reconnect delay; it doubles on each failure
 * @param maxBackoff     the longest reconnect delay
 * @param connectTimeout how long one TCP connect may take
 * @param maxStanzaBytes the largest inbound stanza accepted (RFC 6120 §13.12 item 4)
 * @param pingInterval   after this long with nothing from the server, an XEP-0199 ping is sent; after
 *                       as long again with still nothing, the link is closed and reconnected
 * @param stanzaTimeout  the longest an inbound stanza (or the server's stream header) may take from its
 *                       first byte to its last; a slower one ends the stream with policy-violation
 */
public record ComponentSettings(String host, int port, String domain, String secret,
                                Duration initialBackoff, Duration maxBackoff, Duration connectTimeout,
                                int maxStanzaBytes, Duration pingInterval, Duration stanzaTimeout) {

    /** The default ping interval: well inside common NAT and firewall idle timeouts. */
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(90);

    /** The default first reconnect delay. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);
    /** The default longest reconnect delay. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(60);
    /** The default TCP connect timeout. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The smallest stanza limit allowed: below it ordinary stanzas would not fit. */
    public static final int MIN_STANZA_BYTES = 1024;

    public ComponentSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host is blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not in 1..65535");
        }
        Mapped<Jid> jid = Jid.parse(domain);
        if (!jid.isOk() || jid.orThrow().local().isPresent() || jid.orThrow().resource().isPresent()) {
            throw new IllegalArgumentException("domain '" + domain + "' is not a valid domain JID");
        }
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("secret is empty");
        }
        if (initialBackoff.isNegative() || initialBackoff.isZero()) {
            throw new IllegalArgumentException("initialBackoff must be positive");
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff must not be shorter than initialBackoff");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero() || connectTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("connectTimeout must be positive and under 2^31 ms");
        }
        if (maxStanzaBytes < MIN_STANZA_BYTES) {
            throw new IllegalArgumentException("maxStanzaBytes must be at least " + MIN_STANZA_BYTES);
        }
        Objects.requireNonNull(pingInterval, "pingInterval");
        if (pingInterval.toMillis() < 10) {
            throw new IllegalArgumentException("pingInterval must be at least 10 ms");
        }
        Objects.requireNonNull(stanzaTimeout, "stanzaTimeout");
        if (stanzaTimeout.toMillis() < 10) {
            throw new IllegalArgumentException("stanzaTimeout must be at least 10 ms");
        }
    }

    /** Settings with the default stanza timeout. */
    public ComponentSettings(String host, int port, String domain, String secret, Duration initialBackoff,
                             Duration maxBackoff, Duration connectTimeout, int maxStanzaBytes, Duration pingInterval) {
        this(host, port, domain, secret, initialBackoff, maxBackoff, connectTimeout, maxStanzaBytes, pingInterval,
                XmppStreamDecoder.DEFAULT_STANZA_TIMEOUT);
    }

    /** Settings with the default ping interval. */
    public ComponentSettings(String host, int port, String domain, String secret, Duration initialBackoff,
                             Duration maxBackoff, Duration connectTimeout, int maxStanzaBytes) {
        this(host, port, domain, secret, initialBackoff, maxBackoff, connectTimeout, maxStanzaBytes,
                DEFAULT_PING_INTERVAL);
    }

    /** Settings with the default backoff, connect timeout and stanza limit. */
    public static ComponentSettings of(String host, int port, String domain, String secret) {
        return new ComponentSettings(host, port, domain, secret, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF,
                DEFAULT_CONNECT_TIMEOUT, XmppStreamDecoder.DEFAULT_MAX_STANZA_BYTES);
    }

    /** The domain prepared as a JID domainpart (RFC 7622 §3.2), the form stanzas are compared with. */
    public String preparedDomain() {
        return Jid.parse(domain).orThrow().domain();
    }

    /** Everything but the secret, which must never reach a log. */
    @Override
    public String toString() {
        return "ComponentSettings[host=" + host + ", port=" + port + ", domain=" + domain + ", secret=***"
                + ", initialBackoff=" + initialBackoff + ", maxBackoff=" + maxBackoff
                + ", connectTimeout=" + connectTimeout + ", maxStanzaBytes=" + maxStanzaBytes
                + ", pingInterval=" + pingInterval + ", stanzaTimeout=" + stanzaTimeout + "]";
    }
}
