package org.isthmus.gateway.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.PresUri;
import org.isthmus.mapping.document.pidf.Activity;
import org.isthmus.mapping.document.pidf.Basic;
import org.isthmus.mapping.document.pidf.Qvalue;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.message.E2ePayload;
import org.isthmus.mapping.presence.CpimPresence;
import org.isthmus.mapping.presence.CpimTuple;
import org.isthmus.mapping.presence.Delay;
import org.isthmus.mapping.presence.PresenceType;
import org.isthmus.mapping.presence.Show;
import org.isthmus.mapping.presence.XmppPresence;

class PackedPresenceTest {

    private static final PresUri ALICE = new PresUri("alice", "xmpp.test");
    private static final ImUri BOB = new ImUri("bob", "sip.test", Optional.empty());

    @Test
    void aPresenceOfOneResourceComesBackEqual() {
        CpimPresence p = new CpimPresence(ALICE, BOB, Optional.empty(), List.of(new CpimTuple("phone", Basic.OPEN,
                Optional.empty(), Optional.empty(), Optional.empty(), List.of(), Optional.empty(), false)), List.of(),
                List.of(), false);
        assertThat(PackedPresence.unpack(PackedPresence.pack(p))).isEqualTo(p);
    }

    @Test
    void everyFieldComesBackEqual() {
        CpimTuple busy = new CpimTuple("laptop", Basic.OPEN, Optional.of(Show.DND), Optional.of(new Qvalue(500)),
                Optional.of("xmpp:alice@xmpp.test/laptop"), List.of(LocalizedText.in("de", "Besprechung"),
                LocalizedText.of("in a meeting, ü")), Optional.of(OffsetDateTime.parse("2026-11-21T10:15:30.25+05:30")),
                true);
        CpimTuple gone = new CpimTuple("", Basic.CLOSED, Optional.of(Show.XA), Optional.of(new Qvalue(0)),
                Optional.empty(), List.of(), Optional.of(OffsetDateTime.parse("1969-12-31T23:59:59Z")), false);
        CpimPresence p = new CpimPresence(ALICE, new ImUri("bob", "sip.test", Optional.of("gr-1")), Optional.of("en"),
                List.of(busy, gone), List.of(LocalizedText.of("note")), List.of(Activity.AWAY, Activity.BREAKFAST),
                true);
        assertThat(PackedPresence.unpack(PackedPresence.pack(p))).isEqualTo(p);
    }

    @Test
    void theContactsStanzasComeBackEqualAndAnErrorIsNotPacked() {
        Jid bob = Jid.parse("bob\\40sip.test@sip.xmpp.test/tuple-1").orThrow();
        Jid alice = Jid.parse("alice@xmpp.test").orThrow();
        XmppPresence away = new XmppPresence(bob, alice, Optional.of("p1"), PresenceType.AVAILABLE, Optional.of("en"),
                Optional.of(Show.AWAY), List.of(LocalizedText.in("en", "lunch"), LocalizedText.in("fr", "déjeuner")),
                -5, Optional.of(new Delay(Instant.parse("2026-11-21T10:00:00.5Z"),
                Optional.of(Jid.parse("sip.xmpp.test").orThrow()), Optional.of("cached"))), Optional.empty());
        XmppPresence gone = XmppPresence.unavailable(Jid.parse("bob\\40sip.test@sip.xmpp.test").orThrow(), alice);
        List<XmppPresence> stanzas = List.of(away, gone);
        assertThat(PackedPresence.unpackStanzas(PackedPresence.packStanzas(stanzas))).isEqualTo(stanzas);
        XmppPresence error = new XmppPresence(bob, alice, Optional.empty(), PresenceType.ERROR, Optional.empty(),
                Optional.empty(), List.of(), 0, Optional.empty(),
                Optional.of(StanzaError.of(StanzaErrorCondition.ITEM_NOT_FOUND, "gone")));
        assertThat(PackedPresence.packStanzas(List.of(away, error))).isNull();
    }

    @Test
    void aSecuredPresenceIsNotPackedSoItsObjectIsKept() {
        Jid bob = Jid.parse("bob\\40sip.test@sip.xmpp.test").orThrow();
        Jid alice = Jid.parse("alice@xmpp.test").orThrow();
        XmppPresence secured = XmppPresence.available(bob, alice)
                .withE2e(E2ePayload.of("Content-Type: application/pkcs7-mime\r\n\r\nMIAG"));

        assertThat(PackedPresence.packStanzas(List.of(secured))).isNull();
    }
}
