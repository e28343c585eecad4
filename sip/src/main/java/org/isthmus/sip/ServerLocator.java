package org.isthmus.sip;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import org.isthmus.mapping.address.SipUri;

/**
 * RFC 3263 §4 client side: the ordered list of (address, port, transport) to try for a SIP URI, limited to
 * the transports the edge has enabled. The caller tries them in order, moving on after a transport error,
 * a timeout or a 503 (§4.3).
 *
 * <ul>
 *   <li>transport (§4.1): the URI's {@code transport} parameter; else for a numeric host or an explicit
 *       port UDP ({@code sip}) or TLS ({@code sips}); else the NAPTR records of the host whose services
 *       the edge supports, by order and preference; else the SRV names of every enabled transport; else
 *       UDP or TLS;</li>
 *   <li>port and address (§4.2): a numeric host is used as is; with an explicit port, or without SRV
 *       records, the host's A/AAAA records with that port or the transport's default; else the SRV
 *       targets by priority, and by RFC 2782's weighted random order within a priority.</li>
 * </ul>
 */
final class ServerLocator {

    /** NAPTR service field (RFC 3263 §4.1, RFC 3261 §26.4) to transport, for sip and sips. */
    private static final Map<String, String> SIP_SERVICES = Map.of("sip+d2u", "udp", "sip+d2t", "tcp",
            "sips+d2t", "tls");

    private final DnsLookup dns;
    private final Set<String> enabled;

    ServerLocator(DnsLookup dns, Set<String> enabled) {
        this.dns = dns;
        this.enabled = enabled;
    }

    /** The hops for {@code uri}, best first; empty if none can be found or none uses an enabled transport. */
    CompletableFuture<List<SipHop>> locate(SipUri uri) {
        String host = bare(uri.host());
        boolean secure = uri.secure();
        if (uri.transport().isPresent()) {
            String transport = uri.transport().get();
            if (secure && transport.equals("tcp")) {
                transport = "tls";
            }
            if (!enabled.contains(transport)) {
                return done(List.of());
            }
            if (isNumeric(host) || uri.port().isPresent()) {
                return addresses(host, uri.port().orElse(defaultPort(transport)), transport);
            }
            return srvThenAddresses(host, List.of(srvName(transport, host)), transport);
        }
        String fallback = secure ? "tls" : "udp";
        if (isNumeric(host) || uri.port().isPresent()) {
            return enabled.contains(fallback)
                    ? addresses(host, uri.port().orElse(defaultPort(fallback)), fallback)
                    : done(List.of());
        }
        return dns.naptr(host).thenCompose(naptrs -> {
            List<SipDns.Naptr> usable = naptrs.stream()
                    .filter(n -> n.flags().equalsIgnoreCase("s"))
                    .filter(n -> transportOf(n, secure) != null)
                    .sorted(Comparator.comparingInt(SipDns.Naptr::order).thenComparingInt(SipDns.Naptr::preference))
                    .toList();
            if (!usable.isEmpty()) {
                return chain(usable.stream()
                        .map(n -> srvThenAddresses(n.replacement(), List.of(n.replacement()), transportOf(n, secure)))
                        .toList());
            }
            // §4.1: no NAPTR records, so SRV for every transport the edge supports, TLS first for sips.
            List<String> transports = secure ? List.of("tls") : List.of("udp", "tcp", "tls");
            List<CompletableFuture<List<SipHop>>> bySrv = new ArrayList<>();
            for (String t : transports) {
                if (enabled.contains(t)) {
                    bySrv.add(srvOnly(srvName(t, host), t));
                }
            }
            return chain(bySrv).thenCompose(hops -> hops.isEmpty() && enabled.contains(fallback)
                    ? addresses(host, defaultPort(fallback), fallback)
                    : done(hops));
        });
    }

    private String transportOf(SipDns.Naptr naptr, boolean secure) {
        String service = naptr.service().toLowerCase(Locale.ROOT);
        String t = SIP_SERVICES.get(service);
        if (t == null || !enabled.contains(t) || (secure && !service.startsWith("sips"))) {
            return null;
        }
        return t;
    }

    /** SRV records of {@code names}, else (§4.2) the A/AAAA records of {@code host} on the default port. */
    private CompletableFuture<List<SipHop>> srvThenAddresses(String host, List<String> names, String transport) {
        return srvOnly(names.get(0), transport).thenCompose(hops -> hops.isEmpty()
                ? addresses(host, defaultPort(transport), transport)
                : done(hops));
    }

    private CompletableFuture<List<SipHop>> srvOnly(String name, String transport) {
        return dns.srv(name).thenCompose(records -> chain(order(records).stream()
                .filter(r -> !r.target().isEmpty() && !r.target().equals("."))
                .map(r -> addresses(r.target(), r.port(), transport))
                .toList()));
    }

    /** RFC 2782: by priority; within one, a weighted random order (zero weights last but possible). */
    static List<SipDns.Srv> order(List<SipDns.Srv> records) {
        List<SipDns.Srv> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingInt(SipDns.Srv::priority));
        List<SipDns.Srv> out = new ArrayList<>();
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j < sorted.size() && sorted.get(j).priority() == sorted.get(i).priority()) {
                j++;
            }
            List<SipDns.Srv> group = new ArrayList<>(sorted.subList(i, j));
            while (!group.isEmpty()) {
                int total = group.stream().mapToInt(SipDns.Srv::weight).sum();
                int pick = total == 0 ? 0 : ThreadLocalRandom.current().nextInt(total + 1);
                int running = 0;
                int chosen = 0;
                for (int k = 0; k < group.size(); k++) {
                    running += group.get(k).weight();
                    if (running >= pick) {
                        chosen = k;
                        break;
                    }
                }
                out.add(group.remove(chosen));
            }
            i = j;
        }
        return out;
    }

    private CompletableFuture<List<SipHop>> addresses(String host, int port, String transport) {
        if (isNumeric(host)) {
            return done(List.of(new SipHop(host, port, transport)));
        }
        return dns.addresses(host).thenApply(addresses -> addresses.stream()
                .map(a -> new SipHop(a.getHostAddress(), port, transport))
                .toList());
    }

    /** The lists of {@code parts} one after the other, duplicates dropped. */
    private static CompletableFuture<List<SipHop>> chain(List<CompletableFuture<List<SipHop>>> parts) {
        CompletableFuture<List<SipHop>> all = done(List.of());
        for (CompletableFuture<List<SipHop>> part : parts) {
            all = all.thenCombine(part, (a, b) -> {
                Set<SipHop> merged = new LinkedHashSet<>(a);
                merged.addAll(b);
                return List.copyOf(merged);
            });
        }
        return all;
    }

    private static CompletableFuture<List<SipHop>> done(List<SipHop> hops) {
        return CompletableFuture.completedFuture(hops);
    }

    static String srvName(String transport, String host) {
        return switch (transport) {
            case "tls" -> "_sips._tcp." + host;
            case "tcp" -> "_sip._tcp." + host;
            default -> "_sip._udp." + host;
        };
    }

    static int defaultPort(String transport) {
        return transport.equals("tls") ? SipSettings.DEFAULT_TLS_PORT : SipSettings.DEFAULT_PORT;
    }

    static String bare(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** An IPv4 or IPv6 literal (RFC 3263 §4.1 "numeric IP address"); no lookup is made to tell. */
    static boolean isNumeric(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
