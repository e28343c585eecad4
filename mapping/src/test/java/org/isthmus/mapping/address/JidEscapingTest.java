package org.isthmus.mapping.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class JidEscapingTest {

    /** XEP-0106 §3.2 Table 1 and §3.3 Table 2, one row each, plus the §3.2/§3.3 examples. */
    @ParameterizedTest(name = "{0} <-> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "` `|\\20",
        "\"|\\22",
        "&|\\26",
        "'|\\27",
        "/|\\2f",
        ":|\\3a",
        "<|\\3c",
        ">|\\3e",
        "@|\\40",
        "d'artagnan|d\\27artagnan",
        "treville@musketeers.lit|treville\\40musketeers.lit",
    })
    void xep0106_tables1and2(String unescaped, String escaped) {
        assertThat(JidEscaping.escape(unescaped)).isEqualTo(escaped);
        assertThat(JidEscaping.unescape(escaped)).isEqualTo(unescaped);
    }

    /** XEP-0106 §4.3: partial and invalid sequences are left alone by both transformations. */
    @ParameterizedTest
    @CsvSource({"\\2plus\\2is\\4", "foo\\bar", "foob\\41r"})
    void xep0106_s4_3_examples3to5_unchanged(String s) {
        assertThat(JidEscaping.escape(s)).isEqualTo(s);
        assertThat(JidEscaping.unescape(s)).isEqualTo(s);
    }

    /** XEP-0106 §4.3: "c:\5commas@example.com" escapes to "c\3a\5c5commas\40example.com" and back. */
    @Test
    void xep0106_s4_3_backslashBeforeEscapeCode() {
        assertThat(JidEscaping.escape("c:\\5commas@example.com")).isEqualTo("c\\3a\\5c5commas\\40example.com");
        assertThat(JidEscaping.unescape("c\\3a\\5c5commas\\40example.com")).isEqualTo("c:\\5commas@example.com");
    }

    /** XEP-0106 §4.2 step 3: the Wireless Village example. */
    @Test
    void xep0106_s4_2_wirelessVillageExample() {
        assertThat(JidEscaping.escape("\\3and\\2is\\5cool")).isEqualTo("\\5c3and\\2is\\5c5cool");
        assertThat(JidEscaping.unescape("\\5c3and\\2is\\5c5cool")).isEqualTo("\\3and\\2is\\5cool");
    }

    @Test
    void upperCaseHexIsNotAnEscape() {
        assertThat(JidEscaping.unescape("a\\2Fb")).isEqualTo("a\\2Fb");
    }

    /**
     * XEP-0106 §5.1 Table 3: user input, the escaped JID on the wire, and the display (the input
     * again). Each escaped JID is a valid JID whose localpart is already prepared.
     */
    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("xep0106Table3")
    void xep0106_s5_1_table3(int row, String input, String escaped) {
        String local = input.substring(0, input.lastIndexOf('@'));
        String domain = input.substring(input.lastIndexOf('@') + 1);
        assertThat(JidEscaping.escape(local) + "@" + domain).isEqualTo(escaped);
        Jid jid = Jid.parse(escaped).orThrow();
        assertThat(jid).hasToString(escaped);
        assertThat(JidEscaping.unescape(jid.local().orElseThrow()) + "@" + jid.domain()).isEqualTo(input);
    }

    static Stream<Arguments> xep0106Table3() {
        return Stream.of(
                Arguments.of(1, "space cadet@example.com", "space\\20cadet@example.com"),
                Arguments.of(2, "call me \"ishmael\"@example.com",
                        "call\\20me\\20\\22ishmael\\22@example.com"),
                Arguments.of(3, "at&t guy@example.com", "at\\26t\\20guy@example.com"),
                Arguments.of(4, "d'artagnan@example.com", "d\\27artagnan@example.com"),
                Arguments.of(5, "/.fanboy@example.com", "\\2f.fanboy@example.com"),
                Arguments.of(6, "::foo::@example.com", "\\3a\\3afoo\\3a\\3a@example.com"),
                Arguments.of(7, "<foo>@example.com", "\\3cfoo\\3e@example.com"),
                Arguments.of(8, "user@host@example.com", "user\\40host@example.com"),
                Arguments.of(9, "c:\\net@example.com", "c\\3a\\net@example.com"),
                Arguments.of(10, "c:\\\\net@example.com", "c\\3a\\\\net@example.com"),
                Arguments.of(11, "c:\\cool stuff@example.com", "c\\3a\\cool\\20stuff@example.com"),
                Arguments.of(12, "c:\\5commas@example.com", "c\\3a\\5c5commas@example.com"));
    }

    /**
     * XEP-0106 §5.2 examples 6–7 (and the same address in §5.3 examples 18–19, §5.4 25–26), §5.5
     * examples 32–33, §5.6 examples 39–40 (the backslash before the comma removed, as the XEP says)
     * and §5.7 examples 46–47: the decoded foreign address and its escaped localpart.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "5.2 ex. 7|here's_a_wild_&_/cr%zy/_address|here\\27s_a_wild_\\26_\\2fcr%zy\\2f_address",
        "5.5 ex. 33|here's_a_wild_&_/cr%zy/_address_for:<wv>(\"IMPS\")"
                + "|here\\27s_a_wild_\\26_\\2fcr%zy\\2f_address_for\\3a\\3cwv\\3e(\\22IMPS\\22)",
        "5.6 ex. 40|CN=D'Artagnan Saint-Andr\\E9,O=Example & Company, Inc.,DC=example,DC=com"
                + "|CN=D\\27Artagnan\\20Saint-Andr\\E9,O=Example\\20\\26\\20Company,\\20Inc.,DC=example,DC=com",
        "5.7 ex. 47|somenick!user\"&'/:<>\\3address|somenick!user\\22\\26\\27\\2f\\3a\\3c\\3e\\5c3address",
    })
    void xep0106_s5_examples(String example, String decoded, String escaped) {
        assertThat(JidEscaping.escape(decoded)).isEqualTo(escaped);
        assertThat(JidEscaping.unescape(escaped)).isEqualTo(decoded);
    }

    /** XEP-0106 §4.1 rule 7 under case mapping: "\\2F" becomes "\\2f" in a prepared localpart, so it is escaped too. */
    @Test
    void upperCaseHexIsEscapedBecauseCaseMappingWouldMakeItAnEscape() {
        assertThat(JidEscaping.escape("a\\2Fb")).isEqualTo("a\\5c2Fb");
        assertThat(JidEscaping.unescape(Jid.prepareLocal("a\\5c2Fb").orThrow())).isEqualTo("a\\2fb");
    }
}
