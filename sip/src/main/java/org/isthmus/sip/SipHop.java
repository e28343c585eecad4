package org.isthmus.sip;

import java.util.Locale;
import java.util.Objects;

/**
 * A transport address a SIP request is sent to or came from (RFC 3261 §18).
 *
 * @param host      a host name or IP address literal (IPv6 without brackets)
 * @param port      the port, 1 to 65535
 * @param transport {@code "udp"}, {@code "tcp"} or {@code "tls"}, lower case
 */
public record SipHop(String host, int port, String transport) {
    public SipHop {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(transport, "transport");
        if (host.isBlank()) {
            throw new SipException("hop host is blank");
        }
        if (port < 1 || port > 65535) {
            throw new SipException("hop port out of range: " + port);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        transport = transport.toLowerCase(Locale.ROOT);
        if (!SipSettings.TRANSPORTS.contains(transport)) {
            throw new SipException("unsupported hop transport: " + transport);
        }
    }
}
