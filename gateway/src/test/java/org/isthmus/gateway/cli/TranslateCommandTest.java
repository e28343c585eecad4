package org.isthmus.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TranslateCommandTest {

    /** A component in front of xmpp.test, one federated SIP domain, telephone numbers, other SIP domains refused. */
    private static final String CONFIG = """
            xmpp:
              component: {domain: sip.xmpp.test, secret: s3cret}
              domains: [xmpp.test]
              s2s: {dialback-secret: 0123456789abcdef0123, require-tls: false, dns: false}
            sip:
              federated-domains: [sip.example]
              telephone-domain: pstn.example
              other-domains: component
            """;

    @TempDir
    Path dir;

    private CommandRun translate(String config, String address) throws IOException {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, config);
        return CommandRun.isthmus("translate", "--config", file.toString(), address);
    }

    @Test
    void componentModeSipUserIsAnEscapedLocalpartAndBack() throws IOException {
        CommandRun run = translate(CONFIG, "sip:romeo@sip.test");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.lines()).containsExactly(
                "sip:romeo@sip.test",
                "  rule:        component: sip.test is a SIP domain in component mode (sip.other-domains: component), "
                        + "user@sip.test appears as an escaped localpart of the component domain sip.xmpp.test",
                "  SIP -> XMPP: romeo\\40sip.test@sip.xmpp.test",
                "  escaping:    'romeo@sip.test' <-> 'romeo\\40sip.test' (XEP-0106)",
                "  XMPP -> SIP: romeo\\40sip.test@sip.xmpp.test -> sip:romeo@sip.test");
    }

    @Test
    void escapedJidMapsToItsSipUserWithTheResourceAsGruu() throws IOException {
        CommandRun run = translate(CONFIG, "xmpp:a\\20b\\40sip.test@sip.xmpp.test/desk");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains("rule:        component: sip.test",
                "XMPP -> SIP: sip:a%20b@sip.test;gr=desk",
                "escaping:    'a b@sip.test' <-> 'a\\20b\\40sip.test' (XEP-0106)",
                "SIP -> XMPP: sip:a%20b@sip.test;gr=desk -> a\\20b\\40sip.test@sip.xmpp.test/desk");
    }

    @Test
    void severalComponentsEachShowTheSipUserUnderTheirOwnDomain() throws IOException {
        CommandRun run = translate("""
                xmpp:
                  components:
                    - {domain: sip.a.test, secret: s, domains: [a.test]}
                    - {domain: sip.b.test, secret: s, domains: [b.test]}
                """, "sip:bob@sip.test");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains(
                "SIP -> XMPP: bob\\40sip.test@sip.a.test   (component sip.a.test, to users of a.test)",
                "             bob\\40sip.test@sip.b.test   (component sip.b.test, to users of b.test)",
                "XMPP -> SIP: bob\\40sip.test@sip.a.test -> sip:bob@sip.test",
                "             bob\\40sip.test@sip.b.test -> sip:bob@sip.test");
    }

    @Test
    void federatedSipUserKeepsTheAddress() throws IOException {
        CommandRun run = translate(CONFIG, "sip:juliet@SIP.example");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.lines()).containsExactly(
                "sip:juliet@sip.example",
                "  rule:        federation: sip.example is in sip.federated-domains, its users keep their address in "
                        + "XMPP, reached over s2s (RFC 7247 §6)",
                "  SIP -> XMPP: juliet@sip.example",
                "  XMPP -> SIP: juliet@sip.example -> sip:juliet@sip.example");
    }

    @Test
    void xmppUserKeepsTheAddressOnTheSipSide() throws IOException {
        CommandRun run = translate(CONFIG, "alice@xmpp.test/phone");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains("rule:        XMPP user: xmpp.test is an XMPP user domain",
                "XMPP -> SIP: sip:alice@xmpp.test;gr=phone",
                "SIP -> XMPP: sip:alice@xmpp.test;gr=phone -> alice@xmpp.test/phone");
    }

    @Test
    void telephoneNumberAppearsUnderTheComponentAndGoesToTheTelephoneDomain() throws IOException {
        CommandRun run = translate(CONFIG, "tel:+1-555-123-4567");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains(
                "rule:        telephone: tel:+15551234567 appears as +number under the component domain sip.xmpp.test, "
                        + "and goes to SIP as sip:+number@pstn.example;user=phone (sip.telephone-domain)",
                "SIP -> XMPP: +15551234567@sip.xmpp.test",
                "XMPP -> SIP: +15551234567@sip.xmpp.test -> sip:+15551234567@pstn.example;user=phone");

        CommandRun fromXmpp = translate(CONFIG, "+15551234567@sip.xmpp.test");
        assertThat(fromXmpp.status()).isZero();
        assertThat(fromXmpp.out()).contains("XMPP -> SIP: sip:+15551234567@pstn.example;user=phone",
                "SIP -> XMPP: sip:+15551234567@pstn.example;user=phone -> +15551234567@sip.xmpp.test");
    }

    @Test
    void refusedDomainSaysWhyAndWhatEachSideIsAnswered() throws IOException {
        CommandRun run = translate(CONFIG.replace("other-domains: component", "other-domains: refused"),
                "sip:eve@elsewhere.example");

        assertThat(run.status()).isEqualTo(TranslateCommand.EXIT_REFUSED);
        assertThat(run.lines()).containsExactly(
                "sip:eve@elsewhere.example",
                "  rule:        refused: elsewhere.example is not served (sip.other-domains: refused)",
                "  SIP -> XMPP: refused with <remote-server-not-found/> in XMPP, 404 Not Found in SIP: "
                        + "the gateway does not serve SIP domain elsewhere.example");
    }

    @Test
    void jidOfNoServedDomainIsRefused() throws IOException {
        CommandRun run = translate(CONFIG, "eve@other.example");

        assertThat(run.status()).isEqualTo(TranslateCommand.EXIT_REFUSED);
        assertThat(run.out()).contains("rule:        refused: other.example is none of the gateway's domains",
                "XMPP -> SIP: refused with <remote-server-not-found/> in XMPP, 404 Not Found in SIP");
    }

    @Test
    void badInputIsAClearMessageAndStatus2() throws IOException {
        CommandRun scheme = translate(CONFIG, "mailto:eve@example.com");
        assertThat(scheme.status()).isEqualTo(2);
        assertThat(scheme.err()).contains("'mailto:eve@example.com' has the scheme mailto:, which Isthmus does not "
                + "translate; give a JID or a sip:, sips:, tel:, im: or pres: URI");

        CommandRun uri = translate(CONFIG, "sip:bob@");
        assertThat(uri.status()).isEqualTo(2);
        assertThat(uri.err()).contains("'sip:bob@' is not a valid sip: URI");

        CommandRun jid = translate(CONFIG, "a@b@c");
        assertThat(jid.status()).isEqualTo(2);
        assertThat(jid.err()).contains("'a@b@c' is not a valid JID");

        for (CommandRun run : new CommandRun[] {scheme, uri, jid}) {
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void invalidConfigurationIsStatus2WithItsProblems() throws IOException {
        CommandRun run = translate("xmpp:\n  component: {domain: sip.xmpp.test, secret: x, port: 0}\n  domains: [xmpp.test]\n",
                "sip:bob@sip.test");

        assertThat(run.status()).isEqualTo(ConfigFile.EXIT_INVALID);
        assertThat(run.err()).contains("xmpp.component.port: '0': out of range");
    }

    @Test
    void schemeIsTakenOnlyBeforeTheAddressProper() {
        assertThat(TranslateCommand.scheme("sip:bob@sip.test")).contains("sip");
        assertThat(TranslateCommand.scheme("<SIPS:bob@sip.test>")).contains("sips");
        assertThat(TranslateCommand.scheme("alice@xmpp.test/phone:1")).isEmpty();
        assertThat(TranslateCommand.scheme("xmpp.test/a:b")).isEmpty();
        assertThat(TranslateCommand.scheme("alice@xmpp.test")).isEmpty();
    }
}
