package org.isthmus.sip;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DNS over the network with Netty's resolver, on one event-loop thread of its own. NAPTR (RFC 3403 §4.1)
 * and SRV (RFC 2782) answers are decoded here; Netty decodes A and AAAA. A failed lookup answers empty.
 */
final class NettyDnsLookup implements DnsLookup {

    private static final Logger LOG = LoggerFactory.getLogger(NettyDnsLookup.class);

    private final EventLoopGroup group;
    private final DnsNameResolver resolver;

    NettyDnsLookup(SipDns settings) {
        this.group = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "isthmus-sip-dns");
            t.setDaemon(true);
            return t;
        }, NioIoHandler.newFactory());
        DnsNameResolverBuilder builder = new DnsNameResolverBuilder(group.next())
                .datagramChannelType(NioDatagramChannel.class)
                .queryTimeoutMillis(settings.timeout().toMillis())
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                .recursionDesired(true);
        builder.nameServerProvider(settings.servers().isEmpty()
                ? DnsServerAddressStreamProviders.platformDefault()
                : new SequentialDnsServerAddressStreamProvider(settings.servers()));
        this.resolver = builder.build();
    }

    @Override
    public CompletableFuture<List<SipDns.Naptr>> naptr(String domain) {
        return records(domain, DnsRecordType.NAPTR, b -> {
            int order = b.readUnsignedShort();
            int preference = b.readUnsignedShort();
            String flags = characterString(b);
            String service = characterString(b);
            characterString(b);
            return new SipDns.Naptr(order, preference, flags, service, DefaultDnsRecordDecoder.decodeName(b));
        });
    }

    @Override
    public CompletableFuture<List<SipDns.Srv>> srv(String name) {
        return records(name, DnsRecordType.SRV, b -> {
            int priority = b.readUnsignedShort();
            int weight = b.readUnsignedShort();
            int port = b.readUnsignedShort();
            return new SipDns.Srv(priority, weight, port, DefaultDnsRecordDecoder.decodeName(b));
        });
    }

    @Override
    public CompletableFuture<List<InetAddress>> addresses(String host) {
        CompletableFuture<List<InetAddress>> result = new CompletableFuture<>();
        resolver.resolveAll(host).addListener((Future<List<InetAddress>> f) -> {
            if (f.isSuccess()) {
                result.complete(List.copyOf(f.getNow()));
            } else {
                LOG.debug("A/AAAA lookup of {} failed: {}", LogText.safe(host), f.cause().toString());
                result.complete(List.of());
            }
        });
        return result;
    }

    /** The records of one type, decoded on the resolver's thread; Netty's buffers are released here. */
    private <T> CompletableFuture<List<T>> records(String name, DnsRecordType type, Function<ByteBuf, T> decode) {
        CompletableFuture<List<T>> result = new CompletableFuture<>();
        resolver.resolveAll(new DefaultDnsQuestion(name, type)).addListener((Future<List<DnsRecord>> f) -> {
            if (!f.isSuccess()) {
                LOG.debug("{} lookup of {} failed: {}", type.name(), LogText.safe(name), f.cause().toString());
                result.complete(List.of());
                return;
            }
            List<T> out = new ArrayList<>();
            try {
                for (DnsRecord r : f.getNow()) {
                    if (r instanceof DnsRawRecord raw && r.type().equals(type)) {
                        out.add(decode.apply(raw.content().duplicate()));
                    }
                }
                result.complete(out);
            } catch (RuntimeException e) {
                LOG.debug("malformed {} answer for {}: {}", type.name(), LogText.safe(name), e.toString());
                result.complete(List.of());
            } finally {
                f.getNow().forEach(ReferenceCountUtil::release);
            }
        });
        return result;
    }

    private static String characterString(ByteBuf b) {
        int length = b.readUnsignedByte();
        String s = b.toString(b.readerIndex(), length, StandardCharsets.US_ASCII);
        b.skipBytes(length);
        return s;
    }

    @Override
    public void close() {
        resolver.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
