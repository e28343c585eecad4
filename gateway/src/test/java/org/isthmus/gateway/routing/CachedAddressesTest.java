package org.isthmus.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipUri;

class CachedAddressesTest {

    private final AddressMapper mapper = new AddressMapper("sip.xmpp.test", Set.of("xmpp.test", "b.xmpp.test"));

    /** SIP URIs that map, and some that do not (a JID would be too long, a local part that does not prepare). */
    private static final List<String> SIP = List.of("sip:bob@sip.test", "sip:Bob@SIP.test", "sip:alice@xmpp.test",
            "sip:j%C3%BCrgen@sip.test", "sip:a%5Cb@sip.test", "sip:bob@sip.test;gr=urn:uuid:1234",
            "sip:+15551234567@sip.test;user=phone", "sip:" + "x".repeat(1100) + "@sip.test",
            "sip:%E2%80%8B@sip.test");

    private static final List<String> JIDS = List.of("alice@xmpp.test", "alice@xmpp.test/phone",
            "bob\\40sip.test@sip.xmpp.test", "a\\5cb\\40sip.test@sip.xmpp.test", "nobody@elsewhere.test",
            "xmpp.test", "juliet@b.xmpp.test");

    @Test
    void everyAnswerIsTheMappersAnswerWhetherCachedOrNot() {
        CachedAddresses cached = new CachedAddresses(mapper);
        for (int round = 0; round < 3; round++) {
            for (String text : SIP) {
                Mapped<SipUri> uri = SipUri.parse(text);
                assertThat(uri.isOk()).as(text).isTrue();
                Mapped<ImUri> im = cached.fromSip(uri.orThrow());
                assertThat(im).as(text).isEqualTo(mapper.fromSip(uri.orThrow()));
                if (im.isOk()) {
                    ImUri address = im.orThrow();
                    assertThat(cached.toJid(address)).as(text).isEqualTo(mapper.toJid(address));
                    assertThat(cached.toJid(address, "b.xmpp.test")).as(text)
                            .isEqualTo(mapper.toJid(address, "b.xmpp.test"));
                    assertThat(cached.isXmppUser(address)).isEqualTo(mapper.isXmppUser(address));
                }
            }
            for (String text : JIDS) {
                Jid jid = Jid.parse(text).orThrow();
                Mapped<ImUri> im = cached.fromJid(jid);
                assertThat(im).as(text).isEqualTo(mapper.fromJid(jid));
                if (im.isOk()) {
                    assertThat(cached.toSipUri(im.orThrow())).as(text).isEqualTo(mapper.toSipUri(im.orThrow()));
                }
            }
        }
    }

    @Test
    void moreAddressesThanSlotsStillMapRight() {
        CachedAddresses cached = new CachedAddresses(mapper);
        List<Jid> jids = new ArrayList<>();
        for (int n = 0; n < CachedAddresses.SLOTS * 3; n++) {
            jids.add(Jid.parse("user" + n + "@xmpp.test").orThrow());
        }
        for (int round = 0; round < 2; round++) {
            for (Jid jid : jids) {
                Mapped<ImUri> im = cached.fromJid(jid);
                assertThat(im.orThrow().user()).isEqualTo(jid.local().orElseThrow());
                assertThat(cached.toSipUri(im.orThrow()).user()).contains(jid.local().orElseThrow());
                assertThat(cached.toJid(im.orThrow(), "xmpp.test")).isEqualTo(Mapped.ok(jid));
            }
        }
    }
}
