package org.isthmus.mapping.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import rocks.xmpp.precis.PrecisProfiles;

import org.isthmus.mapping.Mapped;

/**
 * Round trips over generated addresses: whatever {@link AddressMapper} accepts maps there and back to
 * the same address (equal after preparation), and every address type reads back what it writes.
 */
class AddressRoundTripPropertiesTest {

    /** Pieces that generated text is made of: ASCII, the characters each side escapes, and Unicode traps. */
    private static final List<String> PIECES = List.of(
            "a", "b", "z", "Q", "0", "7", "juliet", "o", ".", "-", "_", "+", "!", "~", "*", "(", ")", "#", "$", ",",
            ";", "?", "=", "%", "%41", "%zz", "@", "/", "\\", "\"", "&", "'", ":", "<", ">", " ", "[", "]", "^", "`",
            "{", "|", "}",
            "\\20", "\\22", "\\26", "\\27", "\\2f", "\\2F", "\\3a", "\\40", "\\5c", "\\5C", "\\41", "\\zz",
            // Latin, German, Greek sigma forms, Cyrillic and Latin confusables, mixed scripts
            "é", "e\u0301", "ß", "ü", "Ü", "Σ", "σ", "ς", "а", "е", "о", "р", "ѕ", "і", "İ", "ı", "K", "\u212A",
            // width forms, including ones that become an escape or an escaped character once width-mapped
            "Ａ", "ｂ", "＠", "＼", "２", "ｆ", "\u3000",
            // combining marks that compose with an escape's last hex digit, right-to-left and CJK scripts
            "\u0301", "\u0327", "\u05D0", "\u05D1", "\u0627", "\u0661", "中", "文", "ｶ",
            // symbols, compatibility forms, format and control characters, outside the BMP
            "\u2163", "\u265A", "\u00A0", "\u200D", "\u200B", "\u0007", "😀", "𝔘");

    private static final List<String> HOSTS = List.of("sip.example", "SIP.Example.NET", "bücher.example",
            "xn--bcher-kva.example", "παράδειγμα.δοκιμή", "例え.テスト", "192.0.2.7", "[2001:DB8:0::7]", "fed.example",
            "tel.example", "xmpp.example", "gw.example", "other.example", "a".repeat(63) + ".example", "faß.de",
            "p\u0430ypal.example");

    private static final AddressRules RULES = AddressRules.component("gw.example", Set.of("xmpp.example"))
            .withFederatedDomains(Set.of("fed.example", "παράδειγμα.δοκιμή"))
            .withSipDomain("other.example", SipDomainMode.REFUSED)
            .withTelephoneDomain("tel.example");

    private static final List<AddressMapper> MAPPERS = List.of(
            new AddressMapper(RULES),
            new AddressMapper(RULES.withOtherSipDomains(SipDomainMode.FEDERATION)),
            new AddressMapper(AddressRules.component("gw.example", Set.of("xmpp.example"))));

    @Provide
    Arbitrary<String> text() {
        Arbitrary<String> joined = Arbitraries.of(PIECES).list().ofMinSize(1).ofMaxSize(10)
                .map(l -> String.join("", l));
        Arbitrary<String> overLong = Arbitraries.of(PIECES).list().ofMinSize(1).ofMaxSize(3)
                .map(l -> String.join("", l).repeat(1100 / Math.max(1, String.join("", l).length()) + 1));
        Arbitrary<String> nearLimit = Arbitraries.integers().between(1015, 1030).map("x"::repeat);
        return Arbitraries.frequencyOf(Tuple.of(20, joined), Tuple.of(1, overLong), Tuple.of(1, nearLimit));
    }

    @Provide
    Arbitrary<String> hosts() {
        return Arbitraries.of(HOSTS);
    }

    @Provide
    Arbitrary<Optional<String>> instances() {
        return text().optional(0.4);
    }

    @Provide
    Arbitrary<AddressMapper> mappers() {
        return Arbitraries.of(MAPPERS);
    }

    @Provide
    Arbitrary<String> numbers() {
        Arbitrary<String> digits = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(15);
        Arbitrary<String> separated = digits.map(d -> d.length() > 3 ? d.substring(0, 3) + "-" + d.substring(3) : d);
        return Combinators.combine(Arbitraries.oneOf(digits, separated),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(5).optional(0.3))
                .as((n, ext) -> "+" + n + ext.map(e -> ";ext=" + e).orElse(""));
    }

    // From the SIP side to XMPP and back

    /**
     * Any SIP URI the mapper accepts comes back from its JID as a SIP-side address that maps to the
     * same JID; the user and instance come back unchanged when they were already in prepared form.
     */
    @Property(tries = 500)
    void sipUriToJidAndBack(@ForAll("text") String user, @ForAll("hosts") String host,
                            @ForAll("instances") Optional<String> gr, @ForAll("mappers") AddressMapper mapper) {
        String asciiHost = Hosts.toAscii(Hosts.prepare(host).orThrow());
        SipUri sip = SipUri.of(user, asciiHost);
        if (gr.isPresent()) {
            sip = sip.withParameter("gr", gr.get());
        }
        SipUri wire = SipUri.parse(sip.toString()).orThrow();
        assertThat(wire).isEqualTo(sip);
        Mapped<Jid> mapped = mapper.toJid((AddressUri) wire);
        if (!mapped.isOk()) {
            return;
        }
        Jid jid = mapped.orThrow();
        assertThat(Jid.parse(jid.toString()).orThrow()).isEqualTo(jid);
        AddressUri back = mapper.toSipAddress(jid).orThrow();
        assertThat(mapper.toJid(back).orThrow()).isEqualTo(jid);
        assertThat(mapper.toJid(AddressUri.parse(back.toString()).orThrow()).orThrow()).isEqualTo(jid);
        if (back instanceof SipUri s && !s.isTelephoneNumber()) {
            assertThat(s.host()).isEqualTo(asciiHost);
            if (isPreparedLocal(user)) {
                assertThat(s.user()).contains(user);
            }
            if (gr.isPresent() && isPreparedResource(gr.get())) {
                assertThat(s.parameter("gr")).isEqualTo(gr);
            }
        }
    }

    /** The same through the neutral address the message translators use. */
    @Property(tries = 500)
    void imUriToJidAndBack(@ForAll("text") String user, @ForAll("hosts") String host,
                           @ForAll("instances") Optional<String> instance, @ForAll("mappers") AddressMapper mapper) {
        ImUri im = new ImUri(user, host, instance);
        Mapped<Jid> mapped = mapper.toJid(im);
        if (!mapped.isOk()) {
            return;
        }
        Jid jid = mapped.orThrow();
        ImUri back = mapper.fromJid(jid).orThrow();
        assertThat(mapper.toJid(back).orThrow()).isEqualTo(jid);
        assertThat(mapper.fromJid(mapper.toJid(back).orThrow()).orThrow()).isEqualTo(back);
        assertThat(back.host()).isEqualTo(im.host());
        if (isPreparedLocal(user) && !user.startsWith("+")) {
            assertThat(back).isEqualTo(new ImUri(user, im.host(), back.instance()));
        }
    }

    /** Telephone numbers: tel: and user=phone SIP URIs map to one JID and back. */
    @Property(tries = 500)
    void telephoneNumberToJidAndBack(@ForAll("numbers") String number, @ForAll("mappers") AddressMapper mapper,
                                     @ForAll boolean asSip) {
        AddressUri uri = asSip
                ? SipUri.parse("sip:" + number + "@tel.example;user=phone").orThrow()
                : TelUri.parse("tel:" + number).orThrow();
        Jid jid = mapper.toJid(uri).orThrow();
        assertThat(jid.domain()).isEqualTo("gw.example");
        AddressUri back = mapper.toSipAddress(jid).orThrow();
        assertThat(mapper.toJid(back).orThrow()).isEqualTo(jid);
        TelUri tel = TelUri.parse("tel:" + number).orThrow();
        if (mapper.rules().telephoneDomain().isPresent()) {
            assertThat(back).hasToString("sip:" + tel.subscriber() + "@tel.example;user=phone");
        } else {
            assertThat(back).isEqualTo(tel);
        }
    }

    // From XMPP to the SIP side and back

    /** Any JID the mapper accepts comes back unchanged from its SIP-side address, also through the wire text. */
    @Property(tries = 500)
    void jidToSipAndBack(@ForAll("text") String user, @ForAll("hosts") String domain, @ForAll("hosts") String sipHost,
                         @ForAll("instances") Optional<String> resource, @ForAll("mappers") AddressMapper mapper,
                         @ForAll boolean escape) {
        String local = escape ? JidEscaping.escape(user) : user;
        if (domain.equals("gw.example")) {
            local = JidEscaping.escape(user + "@" + sipHost);
        }
        Mapped<Jid> parsed = Jid.of(local, domain, resource.orElse(null));
        if (!parsed.isOk()) {
            return;
        }
        Jid jid = parsed.orThrow();
        Mapped<AddressUri> sip = mapper.toSipAddress(jid);
        if (!sip.isOk()) {
            return;
        }
        assertThat(mapper.toJid(sip.orThrow()).orThrow()).isEqualTo(jid);
        assertThat(mapper.toJid(AddressUri.parse(sip.orThrow().toString()).orThrow()).orThrow()).isEqualTo(jid);
        ImUri im = mapper.fromJid(jid).orThrow();
        assertThat(mapper.toJid(ImUri.parse(im.toString()).orThrow()).orThrow()).isEqualTo(jid.bare());
    }

    // Each address type reads back what it writes

    @Property(tries = 500)
    void jidParsesItsOwnText(@ForAll("text") String local, @ForAll("hosts") String domain,
                             @ForAll("instances") Optional<String> resource, @ForAll boolean withLocal) {
        Mapped<Jid> jid = Jid.of(withLocal ? local : null, domain, resource.orElse(null));
        if (jid.isOk()) {
            assertThat(Jid.parse(jid.orThrow().toString()).orThrow()).isEqualTo(jid.orThrow());
        }
    }

    @Property(tries = 500)
    void sipUriParsesItsOwnText(@ForAll boolean secure, @ForAll("instances") Optional<String> user,
                                @ForAll("hosts") String host, @ForAll("ports") OptionalInt port,
                                @ForAll("sipParameters") Map<String, String> parameters) {
        SipUri uri = new SipUri(secure, user, Hosts.toAscii(Hosts.prepare(host).orThrow()), port, parameters);
        assertThat(SipUri.parse(uri.toString()).orThrow()).isEqualTo(uri);
        assertThat(AddressUri.parse("<" + uri + ">").orThrow()).isEqualTo(uri);
    }

    @Property(tries = 500)
    void telUriParsesItsOwnText(@ForAll("telUris") TelUri tel) {
        assertThat(TelUri.parse(tel.toString()).orThrow()).isEqualTo(tel);
        assertThat(AddressUri.parse(tel.toString()).orThrow()).isEqualTo(tel);
        assertThat(SipUri.parse("sip:" + Uris.percentEncode(tel.subscriber(), "-_.!~*'()&=+$,;?/")
                + "@tel.example;user=phone").orThrow().telephoneNumber().orThrow()).isEqualTo(tel);
    }

    @Property(tries = 500)
    void imAndPresUrisParseTheirOwnText(@ForAll("text") String user, @ForAll("hosts") String host) {
        ImUri im = new ImUri(user, host, Optional.empty());
        assertThat(ImUri.parse(im.toString()).orThrow()).isEqualTo(im);
        assertThat(AddressUri.parse(im.toString()).orThrow()).isEqualTo(im);
        PresUri pres = im.toPres();
        assertThat(PresUri.parse(pres.toString()).orThrow()).isEqualTo(pres);
        assertThat(AddressUri.parse(pres.toString()).orThrow()).isEqualTo(pres);
    }

    @Provide
    Arbitrary<OptionalInt> ports() {
        return Arbitraries.integers().between(1, 65535).optional(0.3)
                .map(p -> p.map(OptionalInt::of).orElse(OptionalInt.empty()));
    }

    @Provide
    Arbitrary<Map<String, String>> sipParameters() {
        Arbitrary<String> names = Arbitraries.of("transport", "gr", "user", "lr", "maddr", "x-isthmus.test");
        Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.just(""), text());
        return Arbitraries.maps(names, values).ofMaxSize(4).map(LinkedHashMap::new);
    }

    @Provide
    Arbitrary<TelUri> telUris() {
        Arbitrary<String> digits = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(15);
        Arbitrary<String> localDigits = Arbitraries.strings().withChars("0123456789abcdef*#").ofMinLength(1).ofMaxLength(10);
        Arbitrary<Optional<String>> contexts = Arbitraries.oneOf(
                Arbitraries.of("example.com", "xn--bcher-kva.example", "a-b.example").map(Optional::of),
                digits.map(d -> Optional.of("+" + d)));
        Arbitrary<Map<String, String>> params = Arbitraries.maps(
                Arbitraries.of("ext", "isub", "tgrp", "x-a1", "postd"),
                text().map(t -> t.toLowerCase(Locale.ROOT))).ofMaxSize(3);
        return Combinators.combine(Arbitraries.of(true, false), digits, localDigits, contexts, params)
                .as((global, g, l, context, p) -> {
                    Map<String, String> fixed = new LinkedHashMap<>(p);
                    fixed.computeIfPresent("ext", (k, v) -> g.substring(0, Math.min(4, g.length())));
                    return global ? new TelUri("+" + g, Optional.empty(), fixed) : new TelUri(l, context, fixed);
                })
                .filter(t -> t.parameters().values().stream().allMatch(v -> v.equals(v.toLowerCase(Locale.ROOT))));
    }

    private static boolean isPreparedLocal(String user) {
        String escaped = JidEscaping.escape(user);
        Mapped<String> prepared = Jid.prepareLocal(escaped);
        return prepared.isOk() && prepared.orThrow().equals(escaped);
    }

    private static boolean isPreparedResource(String resource) {
        try {
            return PrecisProfiles.OPAQUE_STRING.enforce(resource).equals(resource);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
