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
import org.isthmus.mapping.address.AddressRules;
import org.isthmus.mapping.address.AddressUri;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipUri;

/**
 * Address mapping both ways, per RFC 7247 §6 and XEP-0106: the per-message cost in component mode,
 * in federation mode, with an internationalized domain, and for telephone numbers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AddressMappingBenchmark {

    private final AddressMapper mapper = new AddressMapper("sip.xmpp.test", Set.of("xmpp.test"));
    private final AddressMapper carrier = new AddressMapper(AddressRules.component("gw.xmpp.test", Set.of("xmpp.test"))
            .withFederatedDomains(Set.of("sip.test", "bücher.test"))
            .withTelephoneDomain("pstn.test"));
    private final String sipText = "sip:o'malley@sip.test;gr=desk";
    private final String jidText = "bob\\40sip.test@sip.xmpp.test/phone";
    private final String federatedJidText = "o\\27malley@sip.test/desk";
    private final String idnSipText = "sip:f%C3%BC@xn--bcher-kva.test";
    private final String telText = "tel:+1-201-555-0123";
    private final String numberJidText = "+12015550123@gw.xmpp.test";

    /** SIP URI text to a JID in component mode: parse, decode, escape, prepare. */
    @Benchmark
    public Jid sipUriToJid() {
        return SipUri.parse(sipText).then(ImUri::fromSip).then(mapper::toJid).orThrow();
    }

    /** JID text to a SIP URI in component mode: parse, prepare, unescape, encode, canonical check. */
    @Benchmark
    public String jidToSipUri() {
        return Jid.parse(jidText).then(mapper::fromJid).orThrow().toSip().toString();
    }

    /** SIP URI text to a JID of a federated domain (RFC 7247 §6.4). */
    @Benchmark
    public Jid federatedSipUriToJid() {
        return AddressUri.parse(sipText).then(carrier::toJid).orThrow();
    }

    /** JID text of a federated domain to SIP URI text (RFC 7247 §6.5). */
    @Benchmark
    public String federatedJidToSipUri() {
        return Jid.parse(federatedJidText).then(carrier::toSipAddress).orThrow().toString();
    }

    /** A SIP URI with an A-label host and a percent-encoded non-ASCII user to a federated JID (IDNA on the path). */
    @Benchmark
    public Jid idnSipUriToJid() {
        return AddressUri.parse(idnSipText).then(carrier::toJid).orThrow();
    }

    /** A tel: URI to the number's JID (RFC 3966). */
    @Benchmark
    public Jid telUriToJid() {
        return AddressUri.parse(telText).then(carrier::toJid).orThrow();
    }

    /** A number's JID to {@code sip:+number@pstn;user=phone}. */
    @Benchmark
    public String numberJidToSipUri() {
        return Jid.parse(numberJidText).then(carrier::toSipAddress).orThrow().toString();
    }
}
