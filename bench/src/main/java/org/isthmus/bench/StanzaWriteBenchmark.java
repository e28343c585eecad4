package org.isthmus.bench;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.message.MessageType;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.xmpp.stanza.MessageCodec;
import org.isthmus.xmpp.stream.Namespaces;
import org.isthmus.xmpp.stream.XmlWriter;

/**
 * The outbound half of the component link (XEP-0114, RFC 6121 §5.2): a mapped chat message, as the SIP
 * side hands it over, to the UTF-8 bytes written on the stream, in a pooled buffer as the link writes
 * them. {@code elementTree} is the way through an element tree and its writer; {@code onePass} the
 * writer the link uses, straight from the message.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StanzaWriteBenchmark {

    private static final String NS = Namespaces.COMPONENT_ACCEPT;

    private XmppMessage message;
    private ByteBuf buffer;

    @Setup
    public void setUp() {
        message = new XmppMessage(Jid.parse("romeo\\40sip.example.net@sip.xmpp.test").orThrow(),
                Jid.parse("juliet@xmpp.test").orThrow(), Optional.of("3f9a1c-42"), MessageType.CHAT, Optional.empty(),
                List.of(new LocalizedText(Optional.empty(),
                        "isthmus-bench seq=1234 s=1763790000 us=123456 See you at 3, room B & bring the slides")),
                List.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        buffer = PooledByteBufAllocator.DEFAULT.directBuffer(1024);
    }

    @TearDown
    public void tearDown() {
        buffer.release();
    }

    @Benchmark
    public int elementTree() {
        buffer.clear();
        return ByteBufUtil.writeUtf8(buffer, XmlWriter.toXml(MessageCodec.toElement(message, NS), NS));
    }

    @Benchmark
    public int onePass() {
        buffer.clear();
        return ByteBufUtil.writeUtf8(buffer, MessageCodec.toXml(message, NS, NS));
    }
}
