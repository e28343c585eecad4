package org.isthmus.bench;

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
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipUri;

/** Address mapping both ways in component mode: the per-message cost of RFC 7247 §6 and XEP-0106. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AddressMappingBenchmark {

    private final AddressMapper mapper = new AddressMapper("sip.xmpp.test", Set.of("xmpp.test"));
    private final String sipText = "sip:o'malley@sip.test;gr=desk";
    private final String jidText = "bob\\40sip.test@sip.xmpp.test/phone";

    /** SIP URI text to a JID: parse, decode, escape, prepare. */
    @Benchmark
    public Jid sipUriToJid() {
        return SipUri.parse(sipText).then(ImUri::fromSip).then(mapper::toJid).orThrow();
    }

    /** JID text to a SIP URI: parse, prepare, unescape, encode. */
    @Benchmark
    public String jidToSipUri() {
        return Jid.parse(jidText).then(mapper::fromJid).orThrow().toSip().toString();
    }
}
