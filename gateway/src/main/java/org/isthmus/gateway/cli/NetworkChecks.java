package org.isthmus.gateway.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import javax.naming.NamingException;

import org.isthmus.gateway.config.GatewayConfig;
import org.isthmus.gateway.routing.SipRoute;
import org.isthmus.gateway.tls.ServerNames;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.sip.SipDns;
import org.isthmus.sip.SipHop;
import org.isthmus.sip.SipSettings;
import org.isthmus.xmpp.ComponentSettings;
import org.isthmus.xmpp.s2s.PeerAddress;
import org.isthmus.xmpp.s2s.S2sSettings;

/**
 * The checks of {@code check-config} that go on the network: a TCP connect to every XMPP server the
 * components attach to, every static s2s peer and every SIP next hop over TCP or TLS (a UDP hop has
 * no connection to open, so it is only listed), and the SRV records federation relies on.
 */
final class NetworkChecks {

    private final Duration timeout;

    NetworkChecks(Duration timeout) {
        this.timeout = timeout;
    }

    /** Each XEP-0114 link's XMPP server accepts TCP connections. */
    List<Check> components(List<ComponentSettings> components) {
        List<Check> out = new ArrayList<>();
        for (ComponentSettings c : components) {
            out.add(connect("component " + c.domain(), c.host(), c.port(), "the XMPP server's component listener",
                    "start the XMPP server, check that it listens for components there (Prosody: component_ports and "
                            + "component_interfaces; ejabberd: an ejabberd_service listener), or correct the "
                            + "component's host and port"));
        }
        return out;
    }

    /** Each s2s peer with a configured address accepts TCP connections there. */
    List<Check> s2sPeers(S2sSettings s2s) {
        List<Check> out = new ArrayList<>();
        for (Map.Entry<String, PeerAddress> peer : s2s.staticRoutes().entrySet()) {
            PeerAddress a = peer.getValue();
            out.add(connect("s2s peer " + peer.getKey(), a.host(), a.port(), "the peer's s2s port",
                    "start the peer's XMPP server, or correct host and port in xmpp.s2s.peers"));
        }
        return out;
    }

    /** Each SIP route's next hop, where it is known before a request is sent. */
    List<Check> sipRoutes(Map<String, SipRoute> routes, Optional<SipRoute> defaultRoute) {
        List<Check> out = new ArrayList<>();
        new TreeMap<>(routes).forEach((domain, route) -> out.add(route("sip route " + domain, route)));
        defaultRoute.ifPresent(route -> out.add(route("sip default-route", route)));
        return out;
    }

    private Check route(String subject, SipRoute route) {
        if (route instanceof SipRoute.Hop h) {
            return hop(subject, h.hop(), "the route's host and port");
        }
        if (route instanceof SipRoute.OutboundProxy p) {
            SipUri proxy = p.proxy();
            boolean literal = ServerNames.isIp(proxy.host());
            if (proxy.port().isEmpty() && !literal) {
                // RFC 3263 §4.2: a name without a port is looked up in SRV when a request is sent.
                return Check.skip(subject, "outbound proxy " + proxy + " is located by RFC 3263 (NAPTR, SRV) when a "
                        + "request is sent; not checked here");
            }
            String transport = proxy.transport().orElse(proxy.secure() ? "tls" : "udp");
            int port = proxy.port().orElse(transport.equals("tls") ? SipSettings.DEFAULT_TLS_PORT : SipSettings.DEFAULT_PORT);
            return hop(subject, new SipHop(proxy.host(), port, transport), "the outbound-proxy URI");
        }
        return Check.skip(subject, "the domain's servers are found by RFC 3263 (NAPTR, SRV, A) when a request is "
                + "sent; not checked here");
    }

    private Check hop(String subject, SipHop hop, String where) {
        if (hop.transport().equals("udp")) {
            return Check.skip(subject, hop.host() + ":" + hop.port() + " over UDP cannot be checked: UDP has no "
                    + "connection to open (send it an OPTIONS request, e.g. with sipsak or sipp, to see it answer)");
        }
        Check tcp = connect(subject, hop.host(), hop.port(), "the SIP next hop over " + hop.transport().toUpperCase(Locale.ROOT),
                "start the SIP server there, or correct " + where);
        if (tcp.status() == Check.Status.OK && hop.transport().equals("tls")) {
            return Check.ok(subject, tcp.message() + " (TCP only: the TLS handshake is not tried)");
        }
        return tcp;
    }

    /** A TCP connect within the timeout: OK, or FAIL saying whether it was refused, unanswered or unresolved. */
    Check connect(String subject, String host, int port, String what, String fix) {
        String where = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            return Check.fail(subject, "cannot resolve " + host + " (" + what + ")", "correct the host name, or its DNS "
                    + "or /etc/hosts entry");
        }
        try (Socket socket = new Socket()) {
            socket.connect(address, (int) Math.max(1, timeout.toMillis()));
            return Check.ok(subject, where + " accepts TCP connections (" + what + ")");
        } catch (ConnectException e) {
            return Check.fail(subject, where + " refused the connection (" + what + ")", fix);
        } catch (SocketTimeoutException e) {
            return Check.fail(subject, where + " did not answer within " + timeout.toMillis() + " ms (" + what
                    + "): a firewall drops the packets, or the host is down", fix);
        } catch (IOException e) {
            return Check.fail(subject, where + ": " + e.getMessage() + " (" + what + ")", fix);
        }
    }

    /**
     * The SRV records peers use to find Isthmus (RFC 7247 §5): {@code _xmpp-server._tcp} (and
     * {@code _xmpps-server._tcp} with a direct TLS port, XEP-0368) for each domain it serves as an XMPP
     * server, and {@code _sip._udp}, {@code _sip._tcp}, {@code _sips._tcp} (as transports are enabled,
     * RFC 3263 §4.1) for each XMPP user domain, which Isthmus serves on the SIP side.
     */
    List<Check> srv(GatewayConfig config, S2sSettings s2s, SrvLookup dns) {
        List<Check> out = new ArrayList<>();
        for (String domain : s2s.localDomains()) {
            String ascii = ServerNames.ascii(domain);
            out.add(srv(dns, "_xmpp-server._tcp." + ascii, s2s.listenPort(), "XMPP servers",
                    "RFC 6120 §3.2.2: peers fall back to " + ascii + "'s A/AAAA records on port 5269"));
            if (s2s.directTlsPort().isPresent()) {
                out.add(srv(dns, "_xmpps-server._tcp." + ascii, s2s.directTlsPort().getAsInt(), "XMPP servers",
                        "XEP-0368: peers use STARTTLS on _xmpp-server instead"));
            }
        }
        SipSettings sip = config.sip();
        for (String domain : config.xmppDomains()) {
            String ascii = ServerNames.ascii(domain);
            for (String transport : List.of("udp", "tcp", "tls")) {
                if (!sip.transports().contains(transport)) {
                    continue;
                }
                String name = (transport.equals("tls") ? "_sips._tcp." : "_sip._" + transport + ".") + ascii;
                out.add(srv(dns, name, sip.portOf(transport), "SIP servers",
                        "RFC 3263 §4.2: SIP peers fall back to " + ascii + "'s A/AAAA records on port "
                                + (transport.equals("tls") ? SipSettings.DEFAULT_TLS_PORT : SipSettings.DEFAULT_PORT)
                                + ", unless a proxy routes the domain to Isthmus"));
            }
        }
        return out;
    }

    private static Check srv(SrvLookup dns, String name, int port, String peers, String withoutRecord) {
        String subject = "dns " + name;
        List<SipDns.Srv> records;
        try {
            records = dns.srv(name);
        } catch (NamingException e) {
            return Check.warn(subject, "the lookup failed: " + e.getMessage(), "check the DNS servers (sip.dns.servers "
                    + "or /etc/resolv.conf), or run with --no-dns where DNS is not reachable");
        }
        String publish = "publish '" + name + ". 3600 IN SRV 0 5 " + port + " <the gateway's host name>.'";
        if (records.isEmpty()) {
            return Check.warn(subject, "no SRV record; " + withoutRecord, publish);
        }
        if (records.stream().allMatch(r -> r.target().isEmpty())) {
            return Check.fail(subject, "the record says the service is not offered (target \".\", RFC 2782), so "
                    + peers + " cannot reach Isthmus", publish);
        }
        String listed = records.stream().map(r -> r.priority() + " " + r.weight() + " " + r.port() + " " + r.target() + ".")
                .collect(Collectors.joining(", "));
        Set<Integer> ports = records.stream().map(SipDns.Srv::port).collect(Collectors.toSet());
        if (!ports.contains(port)) {
            return Check.warn(subject, listed + ": no record has port " + port + ", where Isthmus listens",
                    "correct the record's port (ignore this when a port forward maps one to the other)");
        }
        return Check.ok(subject, listed);
    }
}
