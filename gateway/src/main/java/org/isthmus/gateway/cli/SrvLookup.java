package org.isthmus.gateway.cli;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.stream.Collectors;

import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

import org.isthmus.sip.SipDns;

/** Looks up the SRV records of a name (RFC 2782) for {@code check-config}. */
@FunctionalInterface
interface SrvLookup {

    /**
     * The records of {@code name}, e.g. {@code _xmpp-server._tcp.sip.example}; empty when it has none.
     *
     * @throws NamingException when the lookup itself fails (no answer, a server error)
     */
    List<SipDns.Srv> srv(String name) throws NamingException;

    /**
     * Lookups through the JDK's DNS client: the given servers (sip.dns.servers), else the system's, with
     * {@code timeout} per try and one retry. The one place {@code check-config} asks DNS.
     */
    static SrvLookup system(List<InetSocketAddress> servers, Duration timeout) {
        Hashtable<String, Object> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(Context.PROVIDER_URL, servers.isEmpty() ? "dns:" : servers.stream()
                .map(a -> "dns://" + (a.getAddress() instanceof Inet6Address
                        ? "[" + a.getAddress().getHostAddress() + "]" : a.getAddress().getHostAddress()) + ":" + a.getPort())
                .collect(Collectors.joining(" ")));
        env.put("com.sun.jndi.dns.timeout.initial", Long.toString(Math.max(1, timeout.toMillis())));
        env.put("com.sun.jndi.dns.timeout.retries", "1");
        return name -> {
            DirContext context = new InitialDirContext(env);
            try {
                Attribute records = context.getAttributes(name.endsWith(".") ? name : name + ".", new String[] {"SRV"})
                        .get("SRV");
                List<SipDns.Srv> out = new ArrayList<>();
                if (records == null) {
                    return out;
                }
                NamingEnumeration<?> values = records.getAll();
                while (values.hasMore()) {
                    // RFC 2782 presentation form: priority weight port target
                    String[] f = values.next().toString().trim().split("\\s+");
                    try {
                        out.add(new SipDns.Srv(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                                f[3]));
                    } catch (RuntimeException malformed) {
                        // Not an SRV record in presentation form: not one a peer could use either.
                    }
                }
                return out;
            } catch (NameNotFoundException e) {
                return List.of();
            } finally {
                context.close();
            }
        };
    }
}
