package org.isthmus.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.Test;

import org.isthmus.gateway.config.E2eSettings;
import org.isthmus.gateway.e2e.SmimeObjects.Keys;
import org.isthmus.gateway.e2e.SmimeObjects.Party;
import org.isthmus.gateway.metrics.GatewayMeters;
import org.isthmus.gateway.metrics.GatewayMeters.Direction;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SecuredMessage;
import org.isthmus.mapping.message.SecuredObject;

/**
 * The gateway's look at RFC 3923 objects, with objects Bouncy Castle makes here: the inner/outer
 * address check in every mode, and each signature result (RFC 8601 pass, fail, neutral, policy, none)
 * in the pass, tag and reject modes, counted in the meters.
 */
class E2eGuardTest {

    private static final AddressMapper ADDRESSES = new AddressMapper("sip.xmpp.test", Set.of("xmpp.test"));
    private static final ImUri ALICE = new ImUri("alice", "xmpp.test", Optional.of("phone"));
    private static final ImUri BOB = new ImUri("bob", "sip.test", Optional.empty());
    private static final Party CA = SmimeObjects.ca();
    private static final Party ALICE_RSA = SmimeObjects.user("im:alice@xmpp.test", Keys.RSA, CA);
    private static final Party ALICE_EC = SmimeObjects.user("im:alice@xmpp.test", Keys.EC, CA);
    private static final Party BOB_EC = SmimeObjects.user("sip:bob@sip.test", Keys.EC, CA);
    private static final String TEXT = "Wherefore art thou, Romeo?";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private E2eGuard guard(E2eSettings.Verify verify) {
        E2eSettings settings = verify == E2eSettings.Verify.OFF ? E2eSettings.off()
                : new E2eSettings(verify, Optional.of(Path.of("trust.pem")), List.of(CA.certificate()));
        return new E2eGuard(settings, ADDRESSES, "sip.xmpp.test", new GatewayMeters(registry));
    }

    private static SecuredMessage signedMessage(byte[] entity, Party signer) {
        return message(SmimeObjects.signedType(), SmimeObjects.signed(entity, signer));
    }

    private static SecuredMessage message(String type, byte[] body) {
        return new SecuredMessage(ALICE, BOB, new SecuredObject(MediaType.parse(type).orThrow(), body), Optional.empty());
    }

    private static byte[] aliceToBob() {
        return SmimeObjects.cpim("im:alice@xmpp.test", "im:bob@sip.test", TEXT);
    }

    private double counted(String result, String action) {
        return registry.find(GatewayMeters.E2E).tags("result", result, "action", action).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    @Test
    void aSignatureOfATrustedSignerThatNamesTheSenderPassesWithRsaAndEc() {
        for (Party signer : List.of(ALICE_RSA, ALICE_EC)) {
            Mapped<Optional<String>> tag = guard(E2eSettings.Verify.TAG).inspect(signedMessage(aliceToBob(), signer),
                    Direction.XMPP_TO_SIP);
            assertThat(tag.orThrow()).hasValue("sip.xmpp.test; smime=pass");
        }
        assertThat(counted("pass", "tagged")).isEqualTo(2);
    }

    @Test
    void anObjectChangedAfterSigningFailsAndRejectRefusesIt() {
        byte[] tampered = SmimeObjects.flipped(SmimeObjects.signed(aliceToBob(), ALICE_RSA), "Wherefore");
        SecuredMessage m = message(SmimeObjects.signedType(), tampered);

        assertThat(guard(E2eSettings.Verify.TAG).inspect(m, Direction.XMPP_TO_SIP).orThrow())
                .hasValue("sip.xmpp.test; smime=fail");
        assertThat(guard(E2eSettings.Verify.PASS).inspect(m, Direction.XMPP_TO_SIP).orThrow()).isEmpty();
        Mapped<Optional<String>> refused = guard(E2eSettings.Verify.REJECT).inspect(m, Direction.XMPP_TO_SIP);
        assertThat(refused).isInstanceOfSatisfying(Mapped.Failed.class, f -> {
            assertThat(f.rejected().condition()).isEqualTo(StanzaErrorCondition.NOT_ACCEPTABLE);
            assertThat(f.rejected().sipStatus()).hasValueSatisfying(s -> assertThat(s.code()).isEqualTo(403));
        });
        assertThat(counted("fail", "refused")).isEqualTo(1);
        assertThat(counted("fail", "relayed")).isEqualTo(1);
    }

    @Test
    void aSignerTheTrustStoreDoesNotLeadToIsNeutral() {
        Party stranger = SmimeObjects.user("im:alice@xmpp.test", Keys.RSA, SmimeObjects.ca());
        assertThat(guard(E2eSettings.Verify.TAG).inspect(signedMessage(aliceToBob(), stranger), Direction.XMPP_TO_SIP)
                .orThrow()).hasValue("sip.xmpp.test; smime=neutral");
        assertThat(guard(E2eSettings.Verify.REJECT).inspect(signedMessage(aliceToBob(), stranger), Direction.XMPP_TO_SIP)
                .isOk()).isFalse();
    }

    @Test
    void aTrustedCertificateOfSomeoneElseIsAPolicyFailure() {
        Party mallory = SmimeObjects.user("im:mallory@xmpp.test", Keys.EC, CA);
        assertThat(guard(E2eSettings.Verify.TAG).inspect(signedMessage(aliceToBob(), mallory), Direction.XMPP_TO_SIP)
                .orThrow()).hasValue("sip.xmpp.test; smime=policy");
    }

    @Test
    void anEncryptedObjectHasNoSignatureToSeeAndPassesUncheckedUnlessRejecting() {
        byte[] der = SmimeObjects.enveloped(SmimeObjects.signed(aliceToBob(), ALICE_RSA), BOB_EC);
        SecuredMessage m = message(SmimeObjects.envelopedType(), der);

        assertThat(guard(E2eSettings.Verify.OFF).inspect(m, Direction.XMPP_TO_SIP).orThrow()).isEmpty();
        assertThat(guard(E2eSettings.Verify.TAG).inspect(m, Direction.XMPP_TO_SIP).orThrow())
                .hasValue("sip.xmpp.test; smime=none");
        assertThat(guard(E2eSettings.Verify.REJECT).inspect(m, Direction.XMPP_TO_SIP).isOk()).isFalse();
        assertThat(counted("unchecked", "relayed")).isEqualTo(1);
        assertThat(counted("none", "refused")).isEqualTo(1);
    }

    @Test
    void anInnerFromThatIsNotTheSenderIsRefusedInEveryMode() {
        byte[] forged = SmimeObjects.cpim("im:juliet@xmpp.test", "im:bob@sip.test", TEXT);
        for (E2eSettings.Verify mode : E2eSettings.Verify.values()) {
            Mapped<Optional<String>> r = guard(mode).inspect(signedMessage(forged, ALICE_RSA), Direction.XMPP_TO_SIP);
            assertThat(r).as(mode.configName()).isInstanceOfSatisfying(Mapped.Failed.class, f -> {
                assertThat(f.rejected().condition()).isEqualTo(StanzaErrorCondition.FORBIDDEN);
                assertThat(f.rejected().text()).contains("juliet@xmpp.test");
            });
        }
    }

    @Test
    void anInnerToThatIsNotTheRecipientIsRefused() {
        byte[] misrouted = SmimeObjects.cpim("im:alice@xmpp.test", "im:carol@sip.test", TEXT);
        assertThat(guard(E2eSettings.Verify.OFF).inspect(signedMessage(misrouted, ALICE_RSA), Direction.XMPP_TO_SIP)
                .isOk()).isFalse();
    }

    @Test
    void innerAddressesMayBeWrittenAsTheJidsTheSenderSees() {
        byte[] asJids = SmimeObjects.cpim("xmpp:alice@xmpp.test/phone", "im:bob%5C40sip.test@sip.xmpp.test", TEXT);
        assertThat(guard(E2eSettings.Verify.TAG).inspect(signedMessage(asJids, ALICE_RSA), Direction.XMPP_TO_SIP)
                .orThrow()).hasValue("sip.xmpp.test; smime=pass");
    }

    @Test
    void aSignedObjectThatIsNotMessageCpimIsRefused() {
        byte[] plain = "Content-Type: text/plain\r\n\r\nhello".getBytes(StandardCharsets.UTF_8);
        Mapped<Optional<String>> r = guard(E2eSettings.Verify.OFF).inspect(signedMessage(plain, ALICE_RSA),
                Direction.SIP_TO_XMPP);
        assertThat(r).isInstanceOfSatisfying(Mapped.Failed.class, f ->
                assertThat(f.rejected().condition()).isEqualTo(StanzaErrorCondition.NOT_ACCEPTABLE));
    }

    @Test
    void anOpaqueSignedObjectIsReadInsideTheSignedDataAndChecked() throws Exception {
        CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
        generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(
                new JcaDigestCalculatorProviderBuilder().setProvider(SmimeObjects.BC).build())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(SmimeObjects.BC)
                        .build(ALICE_EC.privateKey()), ALICE_EC.certificate()));
        generator.addCertificates(new JcaCertStore(List.of(ALICE_EC.certificate())));
        String type = "application/pkcs7-mime; smime-type=signed-data; name=smime.p7m";

        byte[] good = generator.generate(new CMSProcessableByteArray(aliceToBob()), true).getEncoded();
        assertThat(guard(E2eSettings.Verify.TAG).inspect(message(type, good), Direction.XMPP_TO_SIP).orThrow())
                .hasValue("sip.xmpp.test; smime=pass");

        byte[] forged = generator.generate(new CMSProcessableByteArray(
                SmimeObjects.cpim("im:juliet@xmpp.test", "im:bob@sip.test", TEXT)), true).getEncoded();
        assertThat(guard(E2eSettings.Verify.TAG).inspect(message(type, forged), Direction.XMPP_TO_SIP).isOk()).isFalse();
    }

    @Test
    void garbageInTheSignaturePartIsABadRequest() {
        byte[] body = SmimeObjects.signed(aliceToBob(), ALICE_RSA);
        String text = new String(body, StandardCharsets.ISO_8859_1);
        int b64 = text.indexOf("filename=smime.p7s\r\n\r\n") + "filename=smime.p7s\r\n\r\n".length();
        byte[] broken = (text.substring(0, b64) + "AAAA" + text.substring(b64 + 4)).getBytes(StandardCharsets.ISO_8859_1);
        Mapped<Optional<String>> r = guard(E2eSettings.Verify.TAG).inspect(message(SmimeObjects.signedType(), broken),
                Direction.SIP_TO_XMPP);
        assertThat(r).isInstanceOfSatisfying(Mapped.Failed.class, f ->
                assertThat(f.rejected().condition()).isEqualTo(StanzaErrorCondition.BAD_REQUEST));
    }
}
