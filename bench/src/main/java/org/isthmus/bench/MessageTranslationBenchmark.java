package org.isthmus.bench;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.message.CpimToSip;
import org.isthmus.mapping.message.CpimToXmpp;
import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.MessageType;
import org.isthmus.mapping.message.MultilingualBodies;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.mapping.message.SipToCpim;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.mapping.message.XmppToCpim;

/**
 * Message translation both ways through the CPIM layer (RFC 7572 §4, §5): the per-message cost of
 * the mapping between the edges, for a text/plain MESSAGE, a Message/CPIM one, and a stanza.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MessageTranslationBenchmark {

    private static final int MAX_BODY = 8000;

    private final AddressMapper mapper = new AddressMapper("sip.xmpp.test", Set.of("xmpp.test"));

    private final SipPagerMessage plain = new SipPagerMessage(sip("sip:romeo@sip.test;gr=desk"),
            sip("sip:juliet@xmpp.test"), sip("sip:juliet@xmpp.test"), Optional.of("9E97FB43-85F4-4A00-8751-1124FD4C7B2E"),
            MediaType.TEXT_PLAIN_UTF8, "Neither, fair saint, if either thee dislike.".getBytes(StandardCharsets.UTF_8),
            Optional.of("en"), Optional.empty());

    private final SipPagerMessage cpim = new SipPagerMessage(sip("sip:romeo@sip.test"), sip("sip:juliet@xmpp.test"),
            sip("sip:juliet@xmpp.test"), Optional.of("5A37A65D-304B-470A-B718-3F3E6770ACAF"),
            MediaType.parse("message/cpim").orThrow(), String.join("\r\n",
                    "From: Romeo Montague <im:romeo@sip.test>", "To: Juliet Capulet <im:juliet@xmpp.test>",
                    "DateTime: 2000-12-13T13:40:00-08:00", "Subject: Hi!", "Subject:;lang=cz Ahoj!", "",
                    "Content-Type: text/plain; charset=utf-8", "Content-ID: <123456789@sip.test>", "",
                    "Wherefore art thou?").getBytes(StandardCharsets.UTF_8), Optional.empty(), Optional.empty());

    private final XmppMessage stanza = new XmppMessage(jid("juliet@xmpp.test/yn0cl4bnw0yr3vym"),
            jid("romeo\\40sip.test@sip.xmpp.test"), Optional.of("m1"), MessageType.CHAT, Optional.of("en"),
            Optional.of("Art thou not Romeo, and a Montague?"), Optional.empty(),
            Optional.of("e0ffe42b28561960c6b12b944a092794b9683a38"), Optional.empty());

    private final XmppMessage multilingual = new XmppMessage(jid("juliet@xmpp.test/yn0cl4bnw0yr3vym"),
            jid("romeo\\40sip.test@sip.xmpp.test"), Optional.of("m2"), MessageType.CHAT, Optional.of("en"),
            List.of(LocalizedText.of("Art thou not Romeo?"), LocalizedText.in("cs", "Nejsi Romeo?")), List.of(),
            Optional.empty(), Optional.empty(), Optional.empty());

    private static SipUri sip(String s) {
        return SipUri.parse(s).orThrow();
    }

    private static Jid jid(String s) {
        return Jid.parse(s).orThrow();
    }

    /** SIP MESSAGE (text/plain) to an XMPP message: RFC 7572 §5. */
    @Benchmark
    public XmppMessage sipToXmpp() {
        return SipToCpim.translate(plain, mapper, MAX_BODY).then(c -> CpimToXmpp.translate(c, mapper, "id")).orThrow();
    }

    /** SIP MESSAGE with a Message/CPIM body to an XMPP message: RFC 3862 decode, RFC 3922 §4.2. */
    @Benchmark
    public XmppMessage sipCpimToXmpp() {
        return SipToCpim.translate(cpim, mapper, MAX_BODY).then(c -> CpimToXmpp.translate(c, mapper, "id")).orThrow();
    }

    /** XMPP message to a SIP MESSAGE: RFC 7572 §4. */
    @Benchmark
    public SipPagerMessage xmppToSip() {
        return XmppToCpim.translate(stanza, mapper, MAX_BODY).map(c -> CpimToSip.translate(c, mapper)).orThrow();
    }

    /** XMPP message with two languages to a multipart/alternative MESSAGE: RFC 7572 §8. */
    @Benchmark
    public SipPagerMessage xmppMultilingualToSip() {
        return XmppToCpim.translate(multilingual, mapper, MAX_BODY)
                .map(c -> CpimToSip.translate(c, mapper, MultilingualBodies.MULTIPART_ALTERNATIVE, MAX_BODY)).orThrow();
    }
}
