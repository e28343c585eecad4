package org.isthmus.mapping.address;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
    @org.junit.jupiter.api.Test
    void xep0106_s4_3_backslashBeforeEscapeCode() {
        assertThat(JidEscaping.escape("c:\\5commas@example.com")).isEqualTo("c\\3a\\5c5commas\\40example.com");
        assertThat(JidEscaping.unescape("c\\3a\\5c5commas\\40example.com")).isEqualTo("c:\\5commas@example.com");
    }

    /** XEP-0106 §4.2 step 3: the Wireless Village example. */
    @org.junit.jupiter.api.Test
    void xep0106_s4_2_wirelessVillageExample() {
        assertThat(JidEscaping.escape("\\3and\\2is\\5cool")).isEqualTo("\\5c3and\\2is\\5c5cool");
        assertThat(JidEscaping.unescape("\\5c3and\\2is\\5c5cool")).isEqualTo("\\3and\\2is\\5cool");
    }

    @org.junit.jupiter.api.Test
    void upperCaseHexIsNotAnEscape() {
        assertThat(JidEscaping.unescape("a\\2Fb")).isEqualTo("a\\2Fb");
    }
}
