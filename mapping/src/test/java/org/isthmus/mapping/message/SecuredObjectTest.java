package org.isthmus.mapping.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.cpim.MimeEntity;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * RFC 3923's end-to-end objects in the pure layer: the {@code <e2e/>} text of Examples 3 and 6 read,
 * the two wire forms of an object and their round trip, the inner address check of §8 with the
 * examples' Juliet and Romeo, and the translators that relay an object untouched.
 */
class SecuredObjectTest {

    /** Juliet's example.com is the XMPP side; Romeo's example.net is reached through gw.example.com. */
    private final AddressMapper addresses = new AddressMapper("gw.example.com", Set.of("example.com"));
    private static final ImUri JULIET = new ImUri("juliet", "example.com", Optional.empty());
    private static final ImUri ROMEO = new ImUri("romeo", "example.net", Optional.empty());

    private static String resource(String name) {
        try (InputStream in = SecuredObjectTest.class.getResourceAsStream("/e2e/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Rejected rejected(Mapped<?> m) {
        assertThat(m).isInstanceOf(Mapped.Failed.class);
        return ((Mapped.Failed<?>) m).rejected();
    }

    @Test
    void example3ReadsAsAMultipartSignedObjectInCanonicalForm() {
        SecuredObject o = SecuredObject.fromE2e(resource("rfc3923-example3.txt"), 8000).orThrow();

        assertThat(o.kind()).isEqualTo(SecuredObject.Kind.SIGNED);
        assertThat(o.contentType().is("multipart", "signed")).isTrue();
        assertThat(o.contentType().parameter("boundary")).hasValue("next");
        assertThat(o.contentType().parameter("protocol")).hasValue("application/pkcs7-signature");
        String body = new String(o.body(), StandardCharsets.UTF_8);
        assertThat(body).startsWith("--next\r\nContent-type: Message/CPIM\r\n\r\nFrom: Juliet Capulet")
                .doesNotContain("\r\r").doesNotContainPattern("[^\r]\n");
        // A media type parameter with '/' is quoted when written (RFC 2045 §5.1).
        assertThat(o.contentType().toString()).contains("protocol=\"application/pkcs7-signature\"");
    }

    @Test
    void example3sSignedPartIsTheCpimObjectWithItsHeaders() {
        SecuredObject o = SecuredObject.fromE2e(resource("rfc3923-example3.txt"), 8000).orThrow();
        SecuredObject.SignedParts parts = o.signedParts().orThrow();

        MimeEntity content = parts.contentEntity().orThrow();
        assertThat(content.contentType()).hasValue("Message/CPIM");
        assertThat(new String(parts.content(), StandardCharsets.UTF_8)).startsWith("Content-type: Message/CPIM\r\n")
                .endsWith("Wherefore art thou, Romeo?");
        assertThat(parts.signature().contentType()).hasValue("application/pkcs7-signature");
    }

    @Test
    void example3sInnerAddressesAreJulietAndRomeo() {
        byte[] content = SecuredObject.fromE2e(resource("rfc3923-example3.txt"), 8000).orThrow().signedParts().orThrow()
                .content();

        assertThat(E2eAddresses.check(content, JULIET, ROMEO, addresses)).isEmpty();
        // The resource or GRUU of the outer address never matters (RFC 3923 §6.3).
        assertThat(E2eAddresses.check(content, new ImUri("juliet", "example.com", Optional.of("balcony")), ROMEO,
                addresses)).isEmpty();
        Rejected notTheSender = E2eAddresses.check(content, new ImUri("nurse", "example.com", Optional.empty()), ROMEO,
                addresses).orElseThrow();
        assertThat(notTheSender.condition()).isEqualTo(StanzaErrorCondition.FORBIDDEN);
        assertThat(notTheSender.sipStatus().orElseThrow().code()).isEqualTo(403);
        Rejected notTheRecipient = E2eAddresses.check(content, JULIET, new ImUri("tybalt", "example.net", Optional.empty()),
                addresses).orElseThrow();
        assertThat(notTheRecipient.text()).contains("tybalt@example.net");
    }

    @Test
    void example6IsABareBase64EnvelopedObject() {
        SecuredObject o = SecuredObject.fromE2e(resource("rfc3923-example6.txt"), 8000).orThrow();

        assertThat(o.kind()).isEqualTo(SecuredObject.Kind.ENVELOPED);
        assertThat(o.contentType().is("application", "pkcs7-mime")).isTrue();
        assertThat(o.body()).isEqualTo(Base64.getMimeDecoder().decode(resource("rfc3923-example6.txt").strip()));
        assertThat(o.signedParts().isOk()).isFalse();
    }

    @Test
    void aBinaryObjectGoesToXmppInBase64AndComesBackTheSame() {
        byte[] der = {0x30, (byte) 0x80, 0x00, 0x01, (byte) 0xff, 0x0d, 0x0a, 0x00};
        SecuredObject o = new SecuredObject(MediaType.parse("application/pkcs7-mime; smime-type=enveloped-data").orThrow(),
                der);

        String e2e = o.toE2e();
        assertThat(e2e).startsWith("Content-Type: application/pkcs7-mime;smime-type=enveloped-data\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n");
        assertThat(SecuredObject.fromE2e(e2e, 8000).orThrow()).isEqualTo(o);
        // An XML parser hands the text on with LF line breaks (XML 1.0 §2.11).
        assertThat(SecuredObject.fromE2e(e2e.replace("\r\n", "\n"), 8000).orThrow()).isEqualTo(o);
    }

    @Test
    void aSignedObjectGoesToXmppAsTextAndItsCrlfComesBackAfterXmlMadeItLf() {
        byte[] body = "--b\r\nContent-Type: message/cpim\r\n\r\nFrom: <im:juliet@example.com>\r\n\r\nContent-Type: text/plain\r\n\r\nGrüße\r\n--b\r\nContent-Type: application/pkcs7-signature\r\n\r\nAAAA\r\n--b--\r\n"
                .getBytes(StandardCharsets.UTF_8);
        SecuredObject o = new SecuredObject(MediaType.parse("multipart/signed; boundary=b; protocol=\"application/pkcs7-signature\"")
                .orThrow(), body);

        String e2e = o.toE2e();
        assertThat(e2e).doesNotContain("Content-Transfer-Encoding").contains("Grüße");
        assertThat(SecuredObject.fromE2e(e2e.replace("\r\n", "\n"), 8000).orThrow()).isEqualTo(o);
    }

    @Test
    void whatIsNotAnSmimeObjectIsRefusedWithTheMappedErrors() {
        assertThat(rejected(SecuredObject.fromE2e("Content-Type: text/plain\r\n\r\nhi", 8000)).sipStatus().orElseThrow()
                .code()).isEqualTo(415);
        assertThat(rejected(SecuredObject.fromE2e("  \n ", 8000)).condition()).isEqualTo(StanzaErrorCondition.BAD_REQUEST);
        assertThat(rejected(SecuredObject.fromE2e("Content-Type: application/pkcs7-mime\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\n\r\n=00", 8000)).condition())
                .isEqualTo(StanzaErrorCondition.NOT_ACCEPTABLE);
        assertThat(rejected(SecuredObject.fromE2e("Content-Type: application/pkcs7-mime\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + "QUFB".repeat(100), 100)).sipStatus().orElseThrow().code())
                .isEqualTo(413);
        assertThat(rejected(SecuredObject.fromE2e("no header here, and not base64 either!", 8000)).condition())
                .isEqualTo(StanzaErrorCondition.BAD_REQUEST);
        assertThat(rejected(new SecuredObject(MediaType.parse("multipart/signed").orThrow(), new byte[] {1}).signedParts())
                .text()).contains("boundary");
    }

    @Test
    void anInnerObjectThatIsNotMessageCpimIsRefusedAndAnEncryptedOneHasNothingToCheck() {
        byte[] pidf = "Content-Type: application/pidf+xml\r\n\r\n<presence/>".getBytes(StandardCharsets.UTF_8);
        assertThat(E2eAddresses.check(pidf, JULIET, ROMEO, addresses).orElseThrow().condition())
                .isEqualTo(StanzaErrorCondition.NOT_ACCEPTABLE);
        byte[] nested = "Content-Type: application/pkcs7-mime\r\n\r\n\u0000\u0001".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(E2eAddresses.check(nested, JULIET, ROMEO, addresses)).isEmpty();
    }

    @Test
    void certificateAndInnerAddressesMayNameTheUserInAnyOfItsUriForms() {
        ImUri romeoViaGateway = ROMEO;
        assertThat(E2eAddresses.names("im:romeo@example.net", romeoViaGateway, addresses)).isTrue();
        assertThat(E2eAddresses.names("sip:romeo@example.net", romeoViaGateway, addresses)).isTrue();
        assertThat(E2eAddresses.names("im:romeo%5C40example.net@gw.example.com", romeoViaGateway, addresses)).isTrue();
        assertThat(E2eAddresses.names("xmpp:juliet@example.com/balcony", JULIET, addresses)).isTrue();
        assertThat(E2eAddresses.names("xmpp:nurse@example.com", JULIET, addresses)).isFalse();
        assertThat(E2eAddresses.names("mailto:juliet@example.com", JULIET, addresses)).isFalse();
        assertThat(E2eAddresses.names("not a uri", JULIET, addresses)).isFalse();
    }

    @Test
    void anXmppMessageWithE2eCrossesToSipWithTheObjectUntouched() {
        SecuredObject o = SecuredObject.fromE2e(resource("rfc3923-example3.txt"), 8000).orThrow();
        XmppMessage x = new XmppMessage(Jid.parse("juliet@example.com/balcony").orThrow(),
                Jid.parse("romeo\\40example.net@gw.example.com").orThrow(), Optional.of("m1"), MessageType.CHAT,
                Optional.empty(), List.of(), List.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(E2ePayload.of(resource("rfc3923-example3.txt"))));

        SecuredMessage s = XmppToCpim.translateSecured(x, addresses, 8000).orThrow();
        SipPagerMessage sip = CpimToSip.translate(s, addresses, Optional.of("gw.example.com; smime=pass"));

        assertThat(s.from().bare()).isEqualTo(JULIET);
        assertThat(s.to()).isEqualTo(ROMEO);
        assertThat(sip.from().toString()).startsWith("sip:juliet@example.com;gr=balcony");
        assertThat(sip.requestUri().toString()).isEqualTo("sip:romeo@example.net");
        assertThat(sip.contentType()).isEqualTo(o.contentType());
        assertThat(sip.body()).isEqualTo(o.body());
        assertThat(sip.authenticationResults()).hasValue("gw.example.com; smime=pass");
    }

    @Test
    void aSipMessageWithAnSmimeBodyCrossesToXmppInE2e() {
        SecuredObject o = SecuredObject.fromE2e(resource("rfc3923-example3.txt"), 8000).orThrow();
        SipPagerMessage sip = new SipPagerMessage(SipUri.parse("sip:romeo@example.net").orThrow(),
                SipUri.parse("sip:juliet@example.com").orThrow(), SipUri.parse("sip:juliet@example.com").orThrow(),
                Optional.of("c1@example.net"), o.contentType(), o.body(), Optional.empty(), Optional.empty());

        SecuredMessage s = SipToCpim.translateSecured(sip, addresses, 8000).orThrow();
        XmppMessage x = CpimToXmpp.translate(s, addresses, "isth-1", Optional.empty()).orThrow();

        assertThat(x.from().toString()).isEqualTo("romeo\\40example.net@gw.example.com");
        assertThat(x.to().toString()).isEqualTo("juliet@example.com");
        assertThat(x.bodies()).isEmpty();
        assertThat(SecuredObject.fromE2e(x.e2e().orElseThrow().text(), 8000).orThrow()).isEqualTo(o);
        // A sender claiming an XMPP user's address is refused, as for any MESSAGE.
        SipPagerMessage forged = new SipPagerMessage(SipUri.parse("sip:nurse@example.com").orThrow(), sip.to(),
                sip.requestUri(), sip.callId(), o.contentType(), o.body(), Optional.empty(), Optional.empty());
        assertThat(rejected(SipToCpim.translateSecured(forged, addresses, 8000)).condition())
                .isEqualTo(StanzaErrorCondition.FORBIDDEN);
        assertThat(rejected(SipToCpim.translateSecured(sip, addresses, 10)).sipStatus().orElseThrow().code())
                .isEqualTo(413);
    }
}
