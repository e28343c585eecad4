package org.isthmus.gateway.registrar;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.isthmus.gateway.config.RegistrarSettings;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.sip.RegisterOutcome;
import org.isthmus.sip.SipBinding;
import org.isthmus.sip.SipHop;
import org.isthmus.sip.SipRegistration;

class RegistrarTest {

    private Instant now = Instant.parse("2026-11-21T12:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final Registrar registrar = new Registrar(new RegistrarSettings(Set.of("sip.test"), 60, 3600, 1800), clock);

    private static SipUri uri(String s) {
        return SipUri.parse(s).orThrow();
    }

    private static SipRegistration register(String aor, String contact, OptionalInt contactExpires, OptionalInt expires,
                                            String callId, long cseq) {
        List<SipBinding> b = contact == null ? List.of() : List.of(new SipBinding(uri(contact), contactExpires));
        return new SipRegistration(uri(aor), b, contact == null, expires, callId, cseq, new SipHop("127.0.0.1", 5070, "udp"));
    }

    @Test
    void rfc3261_s10_3_bindThenLookUp() {
        RegisterOutcome o = registrar.register(register("sip:bob@sip.test", "sip:bob@127.0.0.1:5070",
                OptionalInt.empty(), OptionalInt.empty(), "c1", 1));
        assertThat(o.status().code()).isEqualTo(200);
        assertThat(o.bindings()).containsExactly(new SipBinding(uri("sip:bob@127.0.0.1:5070"), OptionalInt.of(1800)));
        assertThat(registrar.lookup(uri("sip:bob@sip.test;gr=x"))).extracting(Registrar.Binding::contact)
                .containsExactly(uri("sip:bob@127.0.0.1:5070"));
    }

    @Test
    void expiryIsCappedAndBindingsLapse() {
        RegisterOutcome o = registrar.register(register("sip:bob@sip.test", "sip:bob@127.0.0.1:5070",
                OptionalInt.of(100_000), OptionalInt.empty(), "c1", 1));
        assertThat(o.bindings().get(0).expires()).isEqualTo(OptionalInt.of(3600));
        now = now.plus(Duration.ofSeconds(3601));
        assertThat(registrar.lookup(uri("sip:bob@sip.test"))).isEmpty();
    }

    @Test
    void rfc3261_s10_3_step6_tooBriefIs423WithMinExpires() {
        RegisterOutcome o = registrar.register(register("sip:bob@sip.test", "sip:bob@127.0.0.1:5070",
                OptionalInt.empty(), OptionalInt.of(30), "c1", 1));
        assertThat(o.status().code()).isEqualTo(423);
        assertThat(o.minExpires()).isEqualTo(OptionalInt.of(60));
        assertThat(registrar.lookup(uri("sip:bob@sip.test"))).isEmpty();
    }

    @Test
    void rfc3261_s10_3_step7_outOfOrderCSeqIsRefused() {
        registrar.register(register("sip:bob@sip.test", "sip:bob@127.0.0.1:5070", OptionalInt.empty(), OptionalInt.empty(), "c1", 5));
        RegisterOutcome o = registrar.register(register("sip:bob@sip.test", "sip:bob@127.0.0.1:5070",
                OptionalInt.of(0), OptionalInt.empty(), "c1", 5));
        assertThat(o.status().code()).isEqualTo(500);
        assertThat(registrar.lookup(uri("sip:bob@sip.test"))).hasSize(1);
    }

    @Test
    void expiresZeroRemovesOneBindingAndWildcardRemovesAll() {
        registrar.register(register("sip:bob@sip.test", "sip:bob@127.0.0.1:5070", OptionalInt.empty(), OptionalInt.empty(), "c1", 1));
        registrar.register(register("sip:bob@sip.test", "sip:bob@127.0.0.1:5080", OptionalInt.empty(), OptionalInt.empty(), "c2", 1));
        assertThat(registrar.lookup(uri("sip:bob@sip.test"))).hasSize(2);
        registrar.register(register("sip:bob@sip.test", "sip:bob@127.0.0.1:5070", OptionalInt.of(0), OptionalInt.empty(), "c1", 2));
        assertThat(registrar.lookup(uri("sip:bob@sip.test"))).extracting(b -> b.contact().toString())
                .containsExactly("sip:bob@127.0.0.1:5080");
        RegisterOutcome all = registrar.register(register("sip:bob@sip.test", null, OptionalInt.empty(), OptionalInt.of(0), "c3", 1));
        assertThat(all.status().code()).isEqualTo(200);
        assertThat(all.bindings()).isEmpty();
        assertThat(registrar.lookup(uri("sip:bob@sip.test"))).isEmpty();
    }

    @Test
    void wildcardWithoutExpiresZeroIsBadRequest() {
        assertThat(registrar.register(register("sip:bob@sip.test", null, OptionalInt.empty(), OptionalInt.of(60), "c", 1))
                .status().code()).isEqualTo(400);
    }

    @Test
    void mostRecentContactComesFirst() {
        registrar.register(register("sip:bob@sip.test", "sip:bob@127.0.0.1:5070", OptionalInt.empty(), OptionalInt.empty(), "c1", 1));
        now = now.plusSeconds(5);
        registrar.register(register("sip:bob@sip.test", "sip:bob@127.0.0.1:5080", OptionalInt.empty(), OptionalInt.empty(), "c2", 1));
        assertThat(registrar.lookup(uri("sip:bob@sip.test")).get(0).contact()).hasToString("sip:bob@127.0.0.1:5080");
    }

    @Test
    void otherDomainsAreNotServed() {
        assertThat(registrar.register(register("sip:bob@elsewhere.test", "sip:bob@127.0.0.1:5070",
                OptionalInt.empty(), OptionalInt.empty(), "c1", 1)).status().code()).isEqualTo(404);
    }
}
