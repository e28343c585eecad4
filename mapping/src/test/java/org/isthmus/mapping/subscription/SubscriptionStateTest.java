package org.isthmus.mapping.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.error.StanzaErrorCondition;

class SubscriptionStateTest {

    private static SubscriptionState parse(String value) {
        return SubscriptionState.parse(value).orThrow();
    }

    private static Rejected rejection(String value) {
        Mapped<SubscriptionState> m = SubscriptionState.parse(value);
        assertThat(m.isOk()).as("'%s' must be refused", value).isFalse();
        return ((Mapped.Failed<SubscriptionState>) m).rejected();
    }

    /** The values of RFC 8048's examples: §5.2.1 Example 4, §6.2, §5.2.3 Example 10, §5.3.1 Examples 14 and 16. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "active;expires=499            | active;expires=499",
        "active;expires=599            | active;expires=599",
        "terminated                    | terminated",
        "active                        | active",
        "terminated;reason=rejected    | terminated;reason=rejected",
    })
    void rfc8048_examples(String wire, String formatted) {
        assertThat(parse(wire).format()).isEqualTo(formatted);
    }

    /** RFC 6665 §4.1.3 and §8.4: every state, each reason, the parameters and their meanings. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        // input                                         | canonical form
        "pending                                         | pending",
        "pending;expires=3600                            | pending;expires=3600",
        "ACTIVE;Expires=10                               | active;expires=10",
        "  active ; expires = 60                         | active;expires=60",
        "active;expires=0                                | active;expires=0",
        "terminated;reason=deactivated                   | terminated;reason=deactivated",
        "terminated;reason=probation;retry-after=60      | terminated;reason=probation;retry-after=60",
        "terminated;retry-after=60;reason=probation      | terminated;reason=probation;retry-after=60",
        "terminated;reason=timeout                       | terminated;reason=timeout",
        "terminated;reason=giveup;retry-after=3600       | terminated;reason=giveup;retry-after=3600",
        "terminated;reason=noresource                    | terminated;reason=noresource",
        "terminated;reason=invariant;retry-after=31536000 | terminated;reason=invariant;retry-after=31536000",
        // RFC 6665 §4.1.3: expires has no semantics for terminated and is ignored.
        "terminated;reason=timeout;expires=30            | terminated;reason=timeout",
        // ... retry-after and reason have none for active and pending.
        "active;expires=5;reason=rejected;retry-after=9  | active;expires=5",
        // Extension reasons are kept as text (RFC 6665 §7.2 registry: badfilter of RFC 4660).
        "terminated;reason=badfilter                     | terminated;reason=badfilter",
        "terminated;reason=Some-Future_Reason            | terminated;reason=Some-Future_Reason",
        // generic-param with token, host and quoted-string values (RFC 3261 §25.1).
        "active;expires=5;x-foo=bar;flag;v6=[::1]         | active;expires=5",
        "terminated;note=\"a;b \\\" c\";reason=rejected    | terminated;reason=rejected",
        // RFC 3261 §10.2.1: delta-seconds above 2^32-1 count as 2^32-1.
        "active;expires=99999999999999999999999          | active;expires=4294967295",
        "active;expires=0003600                          | active;expires=3600",
    })
    void rfc6665_s4_1_3_parseAndFormat(String wire, String canonical) {
        SubscriptionState state = parse(wire);
        assertThat(state.format()).isEqualTo(canonical);
        assertThat(parse(state.format())).isEqualTo(state);
    }

    @ParameterizedTest
    @EnumSource(TerminationReason.class)
    void rfc6665_s4_1_3_everyDefinedReason(TerminationReason reason) {
        SubscriptionState.Terminated t = (SubscriptionState.Terminated) parse("terminated;reason=" + reason.token());
        assertThat(t.knownReason()).contains(reason);
        assertThat(SubscriptionState.Terminated.of(reason).format()).isEqualTo("terminated;reason=" + reason.token());
        // Defined reasons compare without regard to case; the text is kept as received.
        SubscriptionState.Terminated upper = (SubscriptionState.Terminated) parse("terminated;reason=" + reason.token().toUpperCase());
        assertThat(upper.knownReason()).contains(reason);
    }

    @Test
    void rfc6665_s4_1_3_parsedValues() {
        assertThat(parse("active;expires=499")).isEqualTo(new SubscriptionState.Active(OptionalLong.of(499)));
        assertThat(parse("pending")).isEqualTo(new SubscriptionState.Pending(OptionalLong.empty()));
        assertThat(parse("terminated;reason=probation;retry-after=60"))
                .isEqualTo(new SubscriptionState.Terminated(Optional.of("probation"), OptionalLong.of(60)));
        SubscriptionState.Terminated ext = (SubscriptionState.Terminated) parse("terminated;reason=badfilter");
        assertThat(ext.reason()).contains("badfilter");
        assertThat(ext.knownReason()).isEmpty();
        assertThat(((SubscriptionState.Terminated) parse("terminated")).reason()).isEmpty();
    }

    /** Malformed values end in a Rejected with the offset, never an exception. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "``",
        "`   `",
        "`;expires=5`",
        "`active;`",
        "`active;;expires=5`",
        "`active expires=5`",
        "`active;expires`",
        "`active;expires=`",
        "`active;expires=-1`",
        "`active;expires=1.5`",
        "`active;expires=0x10`",
        "`active;expires=\"60\"`",
        "`active;expires=5;expires=6`",
        "`terminated;reason=rejected;reason=timeout`",
        "`terminated;retry-after=1;retry-after=2`",
        "`terminated;reason=`",
        "`terminated;reason=\"rejected\"`",
        "`terminated;reason=a/b`",
        "`terminated;x=\"unterminated`",
        "`terminated;x=\"ends in backslash\\`",
        "`terminated;=5`",
        "`closed`",
        "`waiting;expires=5`",
        "`act ive`",
        "`active,pending`",
        "`active;expires=5,terminated`",
        "`aktiv\u00e9`",
        "`terminated;reason=r\u00e9jected`",
    })
    void malformed(String value) {
        Rejected r = rejection(value);
        assertThat(r.condition()).isEqualTo(StanzaErrorCondition.BAD_REQUEST);
        assertThat(r.text()).startsWith("malformed Subscription-State").contains("at offset");
    }

    /** Control characters, CR/LF header injection included, are refused wherever they appear. */
    @ParameterizedTest
    @ValueSource(strings = {"active\r\nX-Evil: 1", "active;expires=5\n", "\u0000active", "terminated;reason=rejected\u007f",
            "active;x=\"\r\n\""})
    void malformed_controlCharacters(String value) {
        assertThat(rejection(value).text()).contains("control character");
    }

    @Test
    void malformed_null() {
        assertThat(rejection(null).text()).contains("no value");
    }

    /** Bounded input: an over-long value is refused before it is scanned, whatever it holds. */
    @Test
    void malformed_overLong() {
        String longValue = "active" + ";x=y".repeat(100_000);
        assertThat(rejection(longValue).text()).contains("longer than 1024");
        assertThat(SubscriptionState.parse("active;expires=5", 10).isOk()).isFalse();
        assertThat(SubscriptionState.parse("active;expires=5", 16).isOk()).isTrue();
    }

    /** Every prefix of a valid value either parses or is refused; none throws. */
    @Test
    void everyPrefixParsesOrIsRefused() {
        String value = "terminated;reason=probation;retry-after=60;x=\"a;b\";v6=[::1]";
        for (int i = 0; i <= value.length(); i++) {
            SubscriptionState.parse(value.substring(0, i));
        }
    }

    @Test
    void constructorsRefuseWhatCannotBeFormatted() {
        assertThatThrownBy(() -> new SubscriptionState.Terminated(Optional.of("a b"), OptionalLong.empty()))
                .isInstanceOf(MappingException.class);
        assertThatThrownBy(() -> new SubscriptionState.Terminated(Optional.of("x\r\nEvil: 1"), OptionalLong.empty()))
                .isInstanceOf(MappingException.class);
        assertThatThrownBy(() -> SubscriptionState.Active.of(-1)).isInstanceOf(MappingException.class);
        assertThatThrownBy(() -> SubscriptionState.Pending.of(4_294_967_296L)).isInstanceOf(MappingException.class);
    }

    /** RFC 6665 §4.2.2: the notifier includes expires on active and pending; never on terminated. */
    @Test
    void rfc6665_s4_2_2_format() {
        assertThat(SubscriptionState.Active.of(3600).format()).isEqualTo("active;expires=3600");
        assertThat(SubscriptionState.Pending.of(30).format()).isEqualTo("pending;expires=30");
        assertThat(SubscriptionState.Terminated.of(TerminationReason.PROBATION).withRetryAfter(120).format())
                .isEqualTo("terminated;reason=probation;retry-after=120");
        assertThat(SubscriptionState.Terminated.withoutReason().format()).isEqualTo("terminated");
    }
}
