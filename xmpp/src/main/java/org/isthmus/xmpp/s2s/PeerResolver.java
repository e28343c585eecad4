package org.isthmus.xmpp.s2s;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

/**
 * Finds where a peer domain's server listens (RFC 6120 §3.2, XEP-0368 §3): a static route first;
 * else the SRV records of {@code _xmpps-server._tcp} (direct TLS) and {@code _xmpp-server._tcp}
 * (STARTTLS) in priority order, direct TLS first on equal priority; else the domain itself on 5269
 * (§3.2.2 fallback, resolved to A/AAAA by the connect). A "." target means the service is not
 * offered (RFC 2782). Runs on the service's event loop.
 */
final class PeerResolver implements AutoCloseable {

    /** The service's settings as they are now: a reload may change the static routes. */
    private final Supplier<S2sSettings> settings;
    private final Optional<DnsNameResolver> dns;

    PeerResolver(Supplier<S2sSettings> settings, EventLoop loop) {
        this.settings = settings;
        this.dns = settings.get().dnsLookups()
                ? Optional.of(new DnsNameResolverBuilder(loop).datagramChannelType(NioDatagramChannel.class).build())
                : Optional.empty();
    }

    /** The addresses to try in order; empty when the domain cannot be reached. */
    CompletableFuture<List<PeerAddress>> resolve(String domain) {
        PeerAddress route = settings.get().staticRoutes().get(domain);
        if (route != null) {
            return CompletableFuture.completedFuture(List.of(route));
        }
        if (dns.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        CompletableFuture<List<Srv>> direct = srv(dns.get(), "_xmpps-server._tcp." + domain + ".", true);
        CompletableFuture<List<Srv>> starttls = srv(dns.get(), "_xmpp-server._tcp." + domain + ".", false);
        return direct.thenCombine(starttls, (a, b) -> {
            List<Srv> all = new ArrayList<>(a);
            all.addAll(b);
            if (all.isEmpty()) {
                return List.of(PeerAddress.of(domain, PeerAddress.DEFAULT_PORT));
            }
            if (all.size() == 1 && all.get(0).target().equals(".")) {
                return List.<PeerAddress>of();
            }
            all.sort(Comparator.comparingInt(Srv::priority).thenComparing(s -> !s.directTls())
                    .thenComparing(Comparator.comparingInt(Srv::weight).reversed()));
            List<PeerAddress> addresses = new ArrayList<>();
            for (Srv s : all) {
                if (!s.target().equals(".") && s.port() > 0) {
                    addresses.add(new PeerAddress(s.target(), s.port(), s.directTls()));
                }
            }
            return addresses;
        });
    }

    private record Srv(int priority, int weight, int port, String target, boolean directTls) {
    }

    private static CompletableFuture<List<Srv>> srv(DnsNameResolver resolver, String name, boolean directTls) {
        CompletableFuture<List<Srv>> result = new CompletableFuture<>();
        Future<List<DnsRecord>> query = resolver.resolveAll(new DefaultDnsQuestion(name, DnsRecordType.SRV));
        query.addListener(f -> {
            List<Srv> found = new ArrayList<>();
            if (f.isSuccess()) {
                for (DnsRecord r : query.getNow()) {
                    try {
                        if (r instanceof DnsRawRecord raw && r.type() == DnsRecordType.SRV) {
                            ByteBuf content = raw.content().duplicate();
                            if (content.readableBytes() >= 7) {
                                int priority = content.readUnsignedShort();
                                int weight = content.readUnsignedShort();
                                int port = content.readUnsignedShort();
                                String target = DefaultDnsRecordDecoder.decodeName(content);
                                String host = target.endsWith(".") && target.length() > 1
                                        ? target.substring(0, target.length() - 1) : target;
                                found.add(new Srv(priority, weight, port, host, directTls));
                            }
                        }
                    } catch (RuntimeException e) {
                        // A malformed record is skipped; the others still count.
                    } finally {
                        ReferenceCountUtil.release(r);
                    }
                }
            }
            // NXDOMAIN or no answer: no SRV service of this kind.
            result.complete(found);
        });
        return result;
    }

    @Override
    public void close() {
        dns.ifPresent(DnsNameResolver::close);
    }
}
