package org.isthmus.mapping.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.isthmus.mapping.Mapped;

/**
 * Fuzzes {@link AddressUri#parse}, the entry for every SIP-side address ({@code sip:}, {@code sips:},
 * {@code tel:}, {@code im:} RFC 3860, {@code pres:} RFC 3859), with arbitrary UTF-8 text: an address or
 * a rejection in bounded time, and an address's text parses back to the same address.
 */
class AddressUriFuzzTest {

    @FuzzTest
    void parse(byte[] input) {
        Mapped<AddressUri> parsed = AddressUri.parse(new String(input, StandardCharsets.UTF_8));
        if (parsed instanceof Mapped.Ok<AddressUri> ok) {
            AddressUri uri = ok.value();
            assertThat(AddressUri.parse(uri.toString())).isEqualTo(parsed);
            assertThat(AddressUri.parse("<" + uri + ">")).isEqualTo(parsed);
            if (uri instanceof PresUri pres) {
                assertThat(ImUri.parse(pres.toIm().toString()).orThrow()).isEqualTo(pres.toIm());
            }
            if (uri instanceof ImUri im) {
                assertThat(PresUri.parse(im.toPres().toString()).orThrow()).isEqualTo(im.toPres());
                assertThat(ImUri.fromSip(SipUri.parse(im.toSip().toString()).orThrow()).orThrow()).isEqualTo(im);
            }
        }
    }
}
