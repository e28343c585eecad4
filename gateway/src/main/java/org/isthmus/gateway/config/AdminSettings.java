package org.isthmus.gateway.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;

/**
 * The admin HTTP server (DESIGN.md "Operations"): health, Prometheus metrics and read-only JSON views
 * of the sessions.
 *
 * @param address the IP address it listens on; loopback unless configured otherwise
 * @param port    its TCP port; 0 takes any free port (the one taken is logged at start)
 * @param token   when present, every request must carry {@code Authorization: Bearer <token>}
 *                (RFC 6750 §2.1)
 * @param testIm  whether {@code POST /api/test-im} may send test messages in users' names; the
 *                configuration allows it only with a token
 */
public record AdminSettings(String address, int port, Optional<String> token, boolean testIm) {

    /** Loopback: the API shows who talks to whom, so it is not reachable from elsewhere unless configured. */
    public static final String DEFAULT_ADDRESS = "127.0.0.1";

    /** The port when none is configured. */
    public static final int DEFAULT_PORT = 8080;

    public AdminSettings {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(token, "token");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** Read-only settings: no test messages. */
    public AdminSettings(String address, int port, Optional<String> token) {
        this(address, port, token, false);
    }

    /** Whether the server listens on a loopback address only. */
    public boolean isLoopback() {
        try {
            // The address is an IP literal (checked when the file is read): parsed, never looked up.
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "AdminSettings[address=" + address + ", port=" + port + ", token=" + (token.isPresent() ? "(set)" : "none")
                + ", testIm=" + testIm + "]";
    }
}
