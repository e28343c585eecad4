package org.isthmus.mapping.error;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorTablesTest {

    /** RFC 7247 §7.1 Table 2, every row; "bare" and "full" columns apply notes (1) and (2). */
    @ParameterizedTest(name = "<{0}/> -> {1} (bare), {2} (full)")
    @CsvSource({
        "bad-request, 400, 400",
        "conflict, 400, 400",
        "feature-not-implemented, 501, 405",
        "forbidden, 603, 403",
        "gone, 410, 410",
        "internal-server-error, 500, 500",
        "item-not-found, 604, 404",
        "jid-malformed, 400, 400",
        "not-acceptable, 606, 406",
        "not-allowed, 403, 403",
        "not-authorized, 401, 401",
        "policy-violation, 403, 403",
        "recipient-unavailable, 600, 480",
        "redirect, 302, 302",
        "registration-required, 407, 407",
        "remote-server-not-found, 404, 404",
        "remote-server-timeout, 408, 408",
        "resource-constraint, 500, 500",
        "service-unavailable, 403, 403",
        "subscription-required, 400, 400",
        "undefined-condition, 400, 400",
        "unexpected-request, 400, 400",
    })
    void rfc7247_s7_1_table2(String condition, int bare, int full) {
        StanzaError e = StanzaError.of(StanzaErrorCondition.fromElementName(condition).orElseThrow(), null);
        assertThat(XmppErrorToSip.statusFor(e, false).code()).isEqualTo(bare);
        assertThat(XmppErrorToSip.statusFor(e, true).code()).isEqualTo(full);
    }

    @Test
    void everyConditionHasARow() {
        for (StanzaErrorCondition c : StanzaErrorCondition.values()) {
            assertThat(XmppErrorToSip.statusFor(StanzaError.of(c, null), false).code()).isBetween(300, 699);
        }
    }

    /** RFC 7247 §7.1 note (3): gone with a new address is 301. */
    @Test
    void rfc7247_s7_1_note3_goneWithAddressIs301() {
        StanzaError e = StanzaError.of(StanzaErrorCondition.GONE, null).withAddress("xmpp:romeo@example.net");
        assertThat(XmppErrorToSip.statusFor(e, false).code()).isEqualTo(301);
    }

    /** RFC 7247 §7: the error's text becomes the reason phrase, made safe for a status line. */
    @Test
    void textBecomesReasonPhrase() {
        StanzaError e = StanzaError.of(StanzaErrorCondition.ITEM_NOT_FOUND, "no such\r\nuser");
        assertThat(XmppErrorToSip.statusFor(e, true)).isEqualTo(new SipStatus(404, "no such  user"));
        assertThat(XmppErrorToSip.statusFor(StanzaError.of(StanzaErrorCondition.ITEM_NOT_FOUND, null), true).reason())
                .isEqualTo("Not Found");
    }

    /** RFC 7247 §7.2 Table 3, every row, and the class fallbacks above it. */
    @ParameterizedTest(name = "{0} -> <{1}/>")
    @CsvSource({
        "300, redirect", "301, gone", "302, redirect", "305, redirect", "380, not-acceptable", "399, redirect",
        "400, bad-request", "401, not-authorized", "402, bad-request", "403, forbidden", "404, item-not-found",
        "405, feature-not-implemented", "406, not-acceptable", "407, registration-required",
        "408, remote-server-timeout", "410, gone", "413, policy-violation", "414, policy-violation",
        "415, not-acceptable", "416, not-acceptable", "420, feature-not-implemented", "421, not-acceptable",
        "423, resource-constraint", "430, recipient-unavailable", "439, feature-not-implemented",
        "440, policy-violation", "480, recipient-unavailable", "481, item-not-found", "482, not-acceptable",
        "483, not-acceptable", "484, item-not-found", "485, item-not-found", "486, recipient-unavailable",
        "487, recipient-unavailable", "488, not-acceptable", "489, policy-violation", "491, unexpected-request",
        "493, bad-request", "499, bad-request",
        "500, internal-server-error", "501, feature-not-implemented", "502, remote-server-not-found",
        "503, internal-server-error", "504, remote-server-timeout", "505, not-acceptable", "513, policy-violation",
        "599, internal-server-error",
        "600, recipient-unavailable", "603, recipient-unavailable", "604, item-not-found", "606, not-acceptable",
        "699, recipient-unavailable",
    })
    void rfc7247_s7_2_table3(int code, String condition) {
        assertThat(SipStatusToXmpp.conditionFor(code).elementName()).isEqualTo(condition);
    }

    /** RFC 7247 §7.2 note (1): 301 carries the new address in gone; 410 does not. */
    @Test
    void rfc7247_s7_2_note1() {
        StanzaError moved = SipStatusToXmpp.errorFor(SipStatus.of(301), Optional.of("sip:romeo@new.example"));
        assertThat(moved.address()).contains("sip:romeo@new.example");
        StanzaError gone = SipStatusToXmpp.errorFor(SipStatus.of(410), Optional.of("sip:romeo@new.example"));
        assertThat(gone.address()).isEmpty();
        assertThat(gone.text()).contains("Gone");
    }
}
