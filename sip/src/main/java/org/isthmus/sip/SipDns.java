package org.isthmus.sip;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How the edge looks up SIP servers (RFC 3263 §4): NAPTR, then SRV, then A/AAAA records, through a DNS
 * client of its own. Static records answer first, for tests and for names a deployment pins; with
 * {@code staticOnly} nothing else is asked, so no query leaves the process.
 *
 * @param servers    the DNS servers to ask; empty for the system's ({@code /etc/resolv.conf})
 * @param records    static records, consulted before any server
 * @param staticOnly true to answer only from {@code records} (a name without records does not exist)
 * @param timeout    how long one query may take
 */
public record SipDns(List<InetSocketAddress> servers, Records records, boolean staticOnly, Duration timeout) {

    /** The system's DNS servers, no static records, 5 s per query. */
    public static final SipDns SYSTEM = new SipDns(List.of(), Records.EMPTY, false, Duration.ofSeconds(5));

    public SipDns {
        servers = List.copyOf(servers);
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new SipException("DNS timeout must be positive");
        }
    }

    /** Only these records, never a query on the network. */
    public static SipDns staticOnly(Records records) {
        return new SipDns(List.of(), records, true, Duration.ofSeconds(5));
    }

    /** A NAPTR record (RFC 3403 §4.1) as RFC 3263 §4.1 uses it: a service such as {@code SIP+D2U} and an SRV name. */
    public record Naptr(int order, int preference, String flags, String service, String replacement) {
        public Naptr {
            Objects.requireNonNull(flags, "flags");
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(replacement, "replacement");
            replacement = name(replacement);
        }
    }

    /** An SRV record (RFC 2782). */
    public record Srv(int priority, int weight, int port, String target) {
        public Srv {
            Objects.requireNonNull(target, "target");
            if (port < 0 || port > 65535) {
                throw new SipException("SRV port out of range: " + port);
            }
            target = name(target);
        }
    }

    /** A name in lower case without its trailing dot. */
    static String name(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    /**
     * Static DNS records by owner name (lower case, no trailing dot).
     *
     * @param naptr     NAPTR records of a domain
     * @param srv       SRV records of a name such as {@code _sip._udp.example.com}
     * @param addresses A and AAAA records of a host name
     */
    public record Records(Map<String, List<Naptr>> naptr, Map<String, List<Srv>> srv,
                          Map<String, List<InetAddress>> addresses) {

        /** No records. */
        public static final Records EMPTY = new Records(Map.of(), Map.of(), Map.of());

        public Records {
            naptr = copy(naptr);
            srv = copy(srv);
            addresses = copy(addresses);
        }

        private static <T> Map<String, List<T>> copy(Map<String, List<T>> in) {
            Map<String, List<T>> out = new LinkedHashMap<>();
            in.forEach((k, v) -> out.put(name(k), List.copyOf(v)));
            return Map.copyOf(out);
        }

        /** A copy with NAPTR records for {@code domain}. */
        public Records withNaptr(String domain, List<Naptr> records) {
            Map<String, List<Naptr>> m = new LinkedHashMap<>(naptr);
            m.put(name(domain), records);
            return new Records(m, srv, addresses);
        }

        /** A copy with SRV records for {@code name}. */
        public Records withSrv(String name, List<Srv> records) {
            Map<String, List<Srv>> m = new LinkedHashMap<>(srv);
            m.put(name(name), records);
            return new Records(naptr, m, addresses);
        }

        /** A copy with A/AAAA records for {@code host}. */
        public Records withAddresses(String host, List<InetAddress> records) {
            Map<String, List<InetAddress>> m = new LinkedHashMap<>(addresses);
            m.put(name(host), records);
            return new Records(naptr, srv, m);
        }
    }
}
