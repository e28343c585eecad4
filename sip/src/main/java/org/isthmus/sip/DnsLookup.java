package org.isthmus.sip;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The three DNS questions RFC 3263 §4 asks. Each answer completes with the records, or with an empty list
 * when the name has none or the lookup fails: RFC 3263 moves on to the next step in either case.
 */
interface DnsLookup extends AutoCloseable {

    CompletableFuture<List<SipDns.Naptr>> naptr(String domain);

    CompletableFuture<List<SipDns.Srv>> srv(String name);

    CompletableFuture<List<InetAddress>> addresses(String host);

    @Override
    void close();

    /** Answers from static records first, then from {@code network} (absent with {@code staticOnly}). */
    static DnsLookup of(SipDns settings) {
        DnsLookup network = settings.staticOnly() ? null : new NettyDnsLookup(settings);
        return new StaticFirst(settings.records(), network);
    }

    /** Static records, then the network for names they do not hold. */
    record StaticFirst(SipDns.Records records, DnsLookup network) implements DnsLookup {

        @Override
        public CompletableFuture<List<SipDns.Naptr>> naptr(String domain) {
            List<SipDns.Naptr> r = records.naptr().get(SipDns.name(domain));
            if (r != null || network == null) {
                return CompletableFuture.completedFuture(r == null ? List.of() : r);
            }
            return network.naptr(domain);
        }

        @Override
        public CompletableFuture<List<SipDns.Srv>> srv(String name) {
            List<SipDns.Srv> r = records.srv().get(SipDns.name(name));
            if (r != null || network == null) {
                return CompletableFuture.completedFuture(r == null ? List.of() : r);
            }
            return network.srv(name);
        }

        @Override
        public CompletableFuture<List<InetAddress>> addresses(String host) {
            List<InetAddress> r = records.addresses().get(SipDns.name(host));
            if (r != null || network == null) {
                return CompletableFuture.completedFuture(r == null ? List.of() : r);
            }
            return network.addresses(host);
        }

        @Override
        public void close() {
            if (network != null) {
                network.close();
            }
        }
    }
}
