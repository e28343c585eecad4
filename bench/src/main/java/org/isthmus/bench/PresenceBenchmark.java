package org.isthmus.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
import org.isthmus.mapping.document.pidf.PidfParser;
import org.isthmus.mapping.document.pidf.PidfWriter;
import org.isthmus.mapping.presence.CpimPresenceToSip;
import org.isthmus.mapping.presence.CpimPresenceToXmpp;
import org.isthmus.mapping.presence.Delay;
import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.presence.Show;
import org.isthmus.mapping.presence.SipPresenceState;
import org.isthmus.mapping.presence.SipPresenceToCpim;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.presence.XmppPresenceToCpim;

/** Presence both ways through the CPIM layer (RFC 8048 §6): the per-NOTIFY and per-stanza mapping cost. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PresenceBenchmark {

    private final AddressMapper mapper = new AddressMapper("sip.xmpp.test", Set.of("xmpp.test"));
    private final PidfParser parser = new PidfParser();
    private final SipUri from = SipUri.parse("sip:bob@sip.test").orThrow();
    private final SipUri to = SipUri.parse("sip:alice@xmpp.test;gr=laptop").orThrow();

    /** A typical SIP phone's NOTIFY body: one tuple with a note, a contact and a timestamp, an RPID person. */
    private final byte[] phoneBody = ("<?xml version='1.0' encoding='UTF-8'?>"
            + "<presence xmlns='urn:ietf:params:xml:ns:pidf' xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model'"
            + " xmlns:rpid='urn:ietf:params:xml:ns:pidf:rpid' entity='pres:bob@sip.test'>"
            + "<tuple id='ID-desk'><status><basic>open</basic></status>"
            + "<contact priority='0.8'>sip:bob@sip.test;gr=desk</contact>"
            + "<note xml:lang='en'>In a meeting until 3</note><timestamp>2024-05-30T12:00:00Z</timestamp></tuple>"
            + "<dm:person id='p1'><rpid:activities><rpid:meeting/></rpid:activities></dm:person>"
            + "</presence>").getBytes(StandardCharsets.UTF_8);

    private final XmppPresence stanza = XmppPresence.available(Jid.parse("alice@xmpp.test/laptop").orThrow(),
                    Jid.parse("bob\\40sip.test@sip.xmpp.test").orThrow())
            .withShow(Show.AWAY).withStatuses(List.of(LocalizedText.in("en", "Back in five")))
            .withPriority(5).withDelay(Delay.of(Instant.parse("2024-05-30T12:00:00Z")));

    /** PIDF bytes of a NOTIFY to the XMPP presence stanzas: parse, SIP → CPIM → XMPP. */
    @Benchmark
    public List<XmppPresence> pidfToXmpp() {
        return parser.parse(phoneBody)
                .map(d -> new SipPresenceState(from, to, Optional.empty(), d))
                .then(s -> SipPresenceToCpim.translate(s, mapper))
                .then(c -> CpimPresenceToXmpp.translate(c, mapper))
                .orThrow();
    }

    /** An XMPP presence stanza to the PIDF bytes of a NOTIFY: XMPP → CPIM → SIP, write. */
    @Benchmark
    public byte[] xmppToPidf() {
        return XmppPresenceToCpim.translate(stanza, mapper)
                .map(c -> CpimPresenceToSip.translate(c, mapper))
                .map(s -> PidfWriter.write(s.document()))
                .orThrow();
    }
}
