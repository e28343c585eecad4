package org.isthmus.xmpp.s2s;

/**
 * Where a peer domain's server listens: a host name or address, a port, and whether the connection
 * starts with TLS (XEP-0368 direct TLS) or with a plain stream upgraded by STARTTLS (RFC 6120 §5).
 *
 * @param host      the host name or IP address to connect to
 * @param port      the TCP port
 * @param directTls whether TLS starts at once (XEP-0368 §3) instead of after STARTTLS
 */
public record PeerAddress(String host, int port, boolean directTls) {

    /** The standard server-to-server port (RFC 6120 §14.7). */
    public static final int DEFAULT_PORT = 5269;

    public PeerAddress {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not in 1..65535");
        }
    }

    /** A STARTTLS address. */
    public static PeerAddress of(String host, int port) {
        return new PeerAddress(host, port, false);
    }

    @Override
    public String toString() {
        return host + ":" + port + (directTls ? " (direct TLS)" : "");
    }
}
