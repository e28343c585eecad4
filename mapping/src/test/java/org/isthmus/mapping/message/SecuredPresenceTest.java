package org.isthmus.mapping.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.presence.PresenceType;
import org.isthmus.mapping.presence.XmppPresence;

/**
 * RFC 3923 §4's secured presence in the pure layer: the {@code <e2e/>} text of Examples 9 (signed) and
 * 12 (encrypted) read as S/MIME objects, and the check of §4.1 that a signed PIDF's entity (RFC 3863
 * §4.1.1) is the presence's sender.
 */
class SecuredPresenceTest {

    /** Juliet's example.com is the XMPP side; Romeo's example.net is reached through gw.example.com. */
    private final AddressMapper addresses = new AddressMapper("gw.example.com", Set.of("example.com"));
    private static final ImUri JULIET = new ImUri("juliet", "example.com", Optional.empty());
    private static final ImUri ROMEO = new ImUri("romeo", "example.net", Optional.empty());

    private static String resource(String name) {
        try (InputStream in = SecuredPresenceTest.class.getResourceAsStream("/e2e/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] signedContent(String e2e) {
        SecuredObject o = SecuredObject.fromE2e(e2e, 8000).orThrow();
        assertThat(o.kind()).isEqualTo(SecuredObject.Kind.SIGNED);
        return o.signedParts().orThrow().content();
    }

    /** Example 9 with its XML declaration written as XML 1.0 §2.8 has it (the RFC prints "<xml ...?>"). */
    private static String example9Mended() {
        return resource("rfc3923-example9.txt").replace("<xml version=", "<?xml version=");
    }

    private static byte[] pidfEntity(String entity) {
        return ("Content-Type: application/pidf+xml\r\n\r\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"" + entity + "\">"
                + "<tuple id=\"t\"><status><basic>open</basic></status></tuple></presence>")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void example9sSignedPartIsThePidfObject() {
        byte[] content = signedContent(resource("rfc3923-example9.txt"));

        assertThat(new String(content, StandardCharsets.UTF_8)).startsWith("Content-type: application/pidf+xml\r\n")
                .contains("entity=\"pres:juliet@example.com\"").endsWith("</presence>");
    }

    @Test
    void example9AsPrintedHasAnInnerPidfThatIsNotWellFormedAndIsRefusedWithBadRequest() {
        Optional<Rejected> refused = E2eAddresses.checkPresence(signedContent(resource("rfc3923-example9.txt")),
                JULIET, addresses);

        assertThat(refused).hasValueSatisfying(r -> {
            assertThat(r.condition()).isEqualTo(StanzaErrorCondition.BAD_REQUEST);
            assertThat(r.sipStatus()).hasValue(SipStatus.of(400));
        });
    }

    @Test
    void example9sEntityNamesJulietTheSender() {
        assertThat(E2eAddresses.checkPresence(signedContent(example9Mended()), JULIET, addresses)).isEmpty();
    }

    @Test
    void example9SentByAnyoneButJulietIsForbidden() {
        Optional<Rejected> refused = E2eAddresses.checkPresence(signedContent(example9Mended()), ROMEO, addresses);

        assertThat(refused).hasValueSatisfying(r -> {
            assertThat(r.condition()).isEqualTo(StanzaErrorCondition.FORBIDDEN);
            assertThat(r.sipStatus()).hasValue(SipStatus.of(403));
            assertThat(r.text()).contains("pres:juliet@example.com", "romeo@example.net");
        });
    }

    @Test
    void example12IsABareBase64EnvelopedObjectWithNothingReadableToCheck() {
        SecuredObject o = SecuredObject.fromE2e(resource("rfc3923-example12.txt"), 8000).orThrow();

        assertThat(o.kind()).isEqualTo(SecuredObject.Kind.ENVELOPED);
        assertThat(o.body()).isEqualTo(Base64.getMimeDecoder().decode(resource("rfc3923-example12.txt").strip()));
    }

    @Test
    void theEntityMayNameTheSenderInAnyOfItsForms() {
        // pres: and sip: URIs, and a SIP contact's gateway JID percent-encoded in a pres: URI.
        assertThat(E2eAddresses.checkPresence(pidfEntity("sip:romeo@example.net"), ROMEO, addresses)).isEmpty();
        assertThat(E2eAddresses.checkPresence(pidfEntity("pres:romeo%5C40example.net@gw.example.com"), ROMEO,
                addresses)).isEmpty();
        assertThat(E2eAddresses.checkPresence(pidfEntity("pres:juliet@example.com/balcony"), JULIET, addresses))
                .isEmpty();
        assertThat(E2eAddresses.checkPresence(pidfEntity("pres:nurse@example.com"), JULIET, addresses))
                .hasValueSatisfying(r -> assertThat(r.condition()).isEqualTo(StanzaErrorCondition.FORBIDDEN));
    }

    @Test
    void aSignedObjectThatIsNoPidfIsNotAcceptable() {
        byte[] text = "Content-Type: text/plain\r\n\r\nopen".getBytes(StandardCharsets.UTF_8);

        assertThat(E2eAddresses.checkPresence(text, JULIET, addresses)).hasValueSatisfying(r -> {
            assertThat(r.condition()).isEqualTo(StanzaErrorCondition.NOT_ACCEPTABLE);
            assertThat(r.sipStatus()).hasValue(SipStatus.of(415));
        });
    }

    @Test
    void anErrorReplyToASecuredPresenceCarriesItsObjectBack() {
        Jid juliet = Jid.parse("juliet@example.com/balcony").orThrow();
        Jid romeo = Jid.parse("romeo\\40example.net@gw.example.com").orThrow();
        XmppPresence sent = XmppPresence.available(juliet, romeo).withId("p1")
                .withE2e(E2ePayload.of(resource("rfc3923-example12.txt")));

        XmppPresence reply = sent.errorReply(StanzaError.of(StanzaErrorCondition.ITEM_NOT_FOUND, "no subscription"));

        assertThat(reply.type()).isEqualTo(PresenceType.ERROR);
        assertThat(reply.from()).isEqualTo(romeo);
        assertThat(reply.to()).isEqualTo(juliet);
        assertThat(reply.id()).hasValue("p1");
        assertThat(reply.e2e()).isEqualTo(sent.e2e());
    }
}
