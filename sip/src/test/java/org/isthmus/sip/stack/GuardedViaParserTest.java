package org.isthmus.sip.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.text.ParseException;
import java.time.Duration;

import gov.nist.javax.sip.header.ViaList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Via parser the edge's stack uses: JAIN-SIP's, minus the comments it cannot finish reading. */
class GuardedViaParserTest {

    private static final Duration FAST = Duration.ofSeconds(2);

    /** A comment that the line does not close, the backslash case among them, is refused at once. */
    @ParameterizedTest
    @ValueSource(strings = {
        "Via: SIP/2.0/UDP h;branch=z9hG4bK1 (\\\n",
        "v: SIP/2.0/UDP h (\\\n",
        "Via: SIP/2.0/UDP h, SIP/2.0/UDP i (a\\\n",
        "Via: SIP/2.0/UDP h (open (nested)\n",
        "Via: SIP/2.0/UDP h (\\\\\\\n",
    })
    void unterminatedCommentIsRefused(String line) {
        assertTimeoutPreemptively(FAST, () -> assertThatThrownBy(() -> new GuardedViaParser(line).parse())
                .isInstanceOf(ParseException.class));
    }

    /** Closed comments and parentheses inside quoted strings read as before. */
    @ParameterizedTest
    @ValueSource(strings = {
        "Via: SIP/2.0/UDP h;branch=z9hG4bK1\n",
        "Via: SIP/2.0/UDP h (a comment)\n",
        "Via: SIP/2.0/UDP h (a \\) b)\n",
        "Via: SIP/2.0/UDP h;x=\"(\"\n",
    })
    void wellFormedViaIsRead(String line) throws ParseException {
        assertThat(new GuardedViaParser(line).parse()).isInstanceOf(ViaList.class);
    }
}
