package org.isthmus.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.isthmus.gateway.config.E2eSettings;
import org.isthmus.gateway.e2e.SmimeObjects.Keys;
import org.isthmus.gateway.e2e.SmimeObjects.Party;
import org.isthmus.gateway.metrics.GatewayMeters;
import org.isthmus.gateway.metrics.GatewayMeters.Direction;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SecuredObject;

/**
 * The gateway's look at RFC 3923 §4 secured presence, with PIDF objects Bouncy Castle signs and
 * encrypts here: the PIDF entity must be the sender (RFC 3863 §4.1.1) in every mode, and the signature
 * is checked, tagged, refused and counted as for messages, under {@code stanza=presence}.
 */
class E2ePresenceGuardTest {

    private static final AddressMapper ADDRESSES = new AddressMapper("sip.xmpp.test", Set.of("xmpp.test"));
    private static final ImUri ALICE = new ImUri("alice", "xmpp.test", Optional.of("phone"));
    private static final ImUri BOB = new ImUri("bob", "sip.test", Optional.empty());
    private static final Party CA = SmimeObjects.ca();
    private static final Party ALICE_RSA = SmimeObjects.user("im:alice@xmpp.test", Keys.RSA, CA);
    private static final Party ALICE_EC = SmimeObjects.user("im:alice@xmpp.test", Keys.EC, CA);
    private static final Party BOB_EC = SmimeObjects.user("sip:bob@sip.test", Keys.EC, CA);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private E2eGuard guard(E2eSettings.Verify verify) {
        E2eSettings settings = verify == E2eSettings.Verify.OFF ? E2eSettings.off()
                : new E2eSettings(verify, Optional.of(Path.of("trust.pem")), List.of(CA.certificate()));
        return new E2eGuard(settings, ADDRESSES, "sip.xmpp.test", new GatewayMeters(registry));
    }

    private static SecuredObject object(String type, byte[] body) {
        return new SecuredObject(MediaType.parse(type).orThrow(), body);
    }

    private static SecuredObject signedPidf(String entity, Party signer) {
        return object(SmimeObjects.signedType(), SmimeObjects.signed(SmimeObjects.pidf(entity, "away"), signer));
    }

    private double counted(String stanza, String result, String action) {
        return registry.find(GatewayMeters.E2E).tags("stanza", stanza, "result", result, "action", action).counters()
                .stream().mapToDouble(c -> c.count()).sum();
    }

    private static Rejected rejected(Mapped<?> m) {
        assertThat(m).isInstanceOf(Mapped.Failed.class);
        return ((Mapped.Failed<?>) m).rejected();
    }

    @Test
    void aPidfSignedByTheTrustedSenderPassesWithRsaAndEcEachWay() {
        E2eGuard guard = guard(E2eSettings.Verify.TAG);
        for (Party signer : List.of(ALICE_RSA, ALICE_EC)) {
            assertThat(guard.inspectPresence(ALICE, BOB, signedPidf("pres:alice@xmpp.test", signer),
                    Direction.XMPP_TO_SIP).orThrow()).hasValue("sip.xmpp.test; smime=pass");
        }
        assertThat(guard.inspectPresence(BOB, ALICE, signedPidf("sip:bob@sip.test", BOB_EC), Direction.SIP_TO_XMPP)
                .orThrow()).hasValue("sip.xmpp.test; smime=pass");
        assertThat(counted("presence", "pass", "tagged")).isEqualTo(3);
        assertThat(counted("message", "pass", "tagged")).isZero();
    }

    @Test
    void anEntityThatIsNotTheSenderIsForbiddenWhateverTheMode() {
        for (E2eSettings.Verify verify : E2eSettings.Verify.values()) {
            Rejected r = rejected(guard(verify).inspectPresence(ALICE, BOB, signedPidf("pres:carol@xmpp.test", ALICE_RSA),
                    Direction.XMPP_TO_SIP));
            assertThat(r.condition()).isEqualTo(StanzaErrorCondition.FORBIDDEN);
            assertThat(r.sipStatus()).hasValue(SipStatus.of(403));
            assertThat(r.text()).contains("pres:carol@xmpp.test");
        }
        assertThat(counted("presence", "unchecked", "refused")).isEqualTo(E2eSettings.Verify.values().length);
    }

    @Test
    void aPidfChangedAfterSigningFailsIsTaggedSoAndRefusedByReject() {
        byte[] tampered = SmimeObjects.flipped(SmimeObjects.signed(SmimeObjects.pidf("sip:bob@sip.test", "away"), BOB_EC),
                "away");
        SecuredObject o = object(SmimeObjects.signedType(), tampered);

        assertThat(guard(E2eSettings.Verify.TAG).inspectPresence(BOB, ALICE, o, Direction.SIP_TO_XMPP).orThrow())
                .hasValue("sip.xmpp.test; smime=fail");
        Rejected r = rejected(guard(E2eSettings.Verify.REJECT).inspectPresence(BOB, ALICE, o, Direction.SIP_TO_XMPP));
        assertThat(r.condition()).isEqualTo(StanzaErrorCondition.NOT_ACCEPTABLE);
        assertThat(r.sipStatus().orElseThrow().code()).isEqualTo(403);
        assertThat(counted("presence", "fail", "refused")).isEqualTo(1);
    }

    @Test
    void anEncryptedPidfPassesUncheckedAsNone() {
        byte[] signedEntity = ("Content-Type: " + SmimeObjects.signedType() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] inner = SmimeObjects.signed(SmimeObjects.pidf("pres:carol@xmpp.test", "x"), ALICE_RSA);
        byte[] entity = new byte[signedEntity.length + inner.length];
        System.arraycopy(signedEntity, 0, entity, 0, signedEntity.length);
        System.arraycopy(inner, 0, entity, signedEntity.length, inner.length);
        SecuredObject o = object(SmimeObjects.envelopedType(), SmimeObjects.enveloped(entity, BOB_EC));

        // The gateway has no key and must not have one: the watcher checks what it decrypts (RFC 3923 §6.3).
        assertThat(guard(E2eSettings.Verify.TAG).inspectPresence(ALICE, BOB, o, Direction.XMPP_TO_SIP).orThrow())
                .hasValue("sip.xmpp.test; smime=none");
    }

    @Test
    void aSignedObjectThatIsNoPidfIsNotAcceptable() {
        SecuredObject o = object(SmimeObjects.signedType(), SmimeObjects.signed(
                SmimeObjects.cpim("im:alice@xmpp.test", "im:bob@sip.test", "hi"), ALICE_RSA));

        Rejected r = rejected(guard(E2eSettings.Verify.OFF).inspectPresence(ALICE, BOB, o, Direction.XMPP_TO_SIP));

        assertThat(r.condition()).isEqualTo(StanzaErrorCondition.NOT_ACCEPTABLE);
        assertThat(r.sipStatus()).hasValue(SipStatus.of(415));
    }
}
