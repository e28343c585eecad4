package org.isthmus.bench;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import org.isthmus.xmpp.stream.StreamEvent;
import org.isthmus.xmpp.stream.XmppStreamDecoder;

/**
 * The xmpp module's XML stream decoder (Aalto's non-blocking parser, RFC 6120 §4): bytes of an open
 * component stream to one stanza's {@link StreamEvent.Element}, as Prosody writes them to Isthmus. The
 * decoder runs in a Netty {@link EmbeddedChannel}, as in the edge's pipeline; one decoder per trial, so
 * every operation reads a stanza from a stream that is already open.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class XmppStreamDecoderBenchmark {

    private static final String HEADER = "<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams'"
            + " xmlns='jabber:component:accept' from='sip.xmpp.test' id='d1f8a0c2'>";

    /** A chat message with a body, a thread and a receipt request (XEP-0184), about 330 bytes. */
    private static final byte[] MESSAGE = ("<message xmlns='jabber:client' type='chat' from='alice@xmpp.test/laptop'"
            + " to='bob\\40sip.test@sip.xmpp.test' id='a8f3c1d2-77b1' xml:lang='en'>"
            + "<body>See you at the meeting at 3, room B &amp; bring the slides</body>"
            + "<thread>e0ffe42b28561960c6b12b944a092794b9683a38</thread>"
            + "<request xmlns='urn:xmpp:receipts'/></message>").getBytes(StandardCharsets.UTF_8);

    /** An available presence with show, status, priority and entity capabilities (XEP-0115). */
    private static final byte[] PRESENCE = ("<presence xmlns='jabber:client' from='alice@xmpp.test/laptop'"
            + " to='bob\\40sip.test@sip.xmpp.test'><show>away</show><status xml:lang='en'>Out to lunch, back"
            + " at 2 \u2615</status><priority>5</priority><c xmlns='http://jabber.org/protocol/caps' hash='sha-1'"
            + " node='https://conversations.im' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence>")
            .getBytes(StandardCharsets.UTF_8);

    /** Sixteen messages in one read: what a pipelining sender puts on the wire at once. */
    private static final byte[] SIXTEEN_MESSAGES = repeat(MESSAGE, 16);

    private EmbeddedChannel channel;
    private byte[] firstPart;
    private byte[] secondPart;
    private byte[] thirdPart;

    @Setup(Level.Trial)
    public void open() {
        channel = new EmbeddedChannel(new XmppStreamDecoder());
        channel.writeInbound(Unpooled.wrappedBuffer(HEADER.getBytes(StandardCharsets.UTF_8)));
        if (!(channel.readInbound() instanceof StreamEvent.Open)) {
            throw new IllegalStateException("the stream header did not decode to an Open event");
        }
        // Three TCP reads of one stanza: inside the start tag, inside the body's text, the rest.
        int a = 40;
        int b = 190;
        firstPart = java.util.Arrays.copyOfRange(MESSAGE, 0, a);
        secondPart = java.util.Arrays.copyOfRange(MESSAGE, a, b);
        thirdPart = java.util.Arrays.copyOfRange(MESSAGE, b, MESSAGE.length);
        Object check = decode(MESSAGE);
        if (!(check instanceof StreamEvent.Element)) {
            throw new IllegalStateException("the message did not decode to an Element: " + check);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        channel.finishAndReleaseAll();
    }

    private Object decode(byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
        return channel.readInbound();
    }

    @Benchmark
    public Object message() {
        return decode(MESSAGE);
    }

    @Benchmark
    public Object messageInThreeReads() {
        channel.writeInbound(Unpooled.wrappedBuffer(firstPart));
        channel.writeInbound(Unpooled.wrappedBuffer(secondPart));
        channel.writeInbound(Unpooled.wrappedBuffer(thirdPart));
        return channel.readInbound();
    }

    @Benchmark
    public Object presenceWithCaps() {
        return decode(PRESENCE);
    }

    /** Sixteen stanzas from one buffer; divide the score by 16 for one stanza. */
    @Benchmark
    public void sixteenMessagesInOneRead(Blackhole hole) {
        channel.writeInbound(Unpooled.wrappedBuffer(SIXTEEN_MESSAGES));
        for (int i = 0; i < 16; i++) {
            hole.consume(channel.readInbound());
        }
    }

    private static byte[] repeat(byte[] one, int times) {
        byte[] all = new byte[one.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        return all;
    }
}
