package org.isthmus.mapping.subscription;

import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * The scanner behind {@link SubscriptionState#parse}: one pass over a bounded string, no regular
 * expressions, no recursion, a failure with its offset for anything the RFC 6665 §8.4 ABNF refuses.
 */
final class SubscriptionStateParser {

    private final String s;
    private int pos;

    private SubscriptionStateParser(String s) {
        this.s = s;
    }

    static Mapped<SubscriptionState> parse(String value, int maxLength) {
        if (value == null) {
            return malformed("no value", 0);
        }
        if (value.length() > maxLength) {
            return malformed("longer than " + maxLength + " characters", maxLength);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return malformed("control character", i);
            }
        }
        return new SubscriptionStateParser(value).run();
    }

    private Mapped<SubscriptionState> run() {
        skipWhitespace();
        int start = pos;
        String substate = token();
        if (substate.isEmpty()) {
            return malformed("expected a substate token", start);
        }
        Optional<String> reason = Optional.empty();
        OptionalLong expires = OptionalLong.empty();
        OptionalLong retryAfter = OptionalLong.empty();
        skipWhitespace();
        while (pos < s.length()) {
            if (s.charAt(pos) != ';') {
                return malformed("expected ';'", pos);
            }
            pos++;
            skipWhitespace();
            int nameAt = pos;
            String name = token().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                return malformed("expected a parameter name", nameAt);
            }
            skipWhitespace();
            Optional<String> value = Optional.empty();
            boolean quoted = false;
            int valueAt = pos;
            if (pos < s.length() && s.charAt(pos) == '=') {
                pos++;
                skipWhitespace();
                valueAt = pos;
                if (pos < s.length() && s.charAt(pos) == '"') {
                    quoted = true;
                    Optional<String> q = quotedString();
                    if (q.isEmpty()) {
                        return malformed("unterminated quoted string", valueAt);
                    }
                    value = q;
                } else {
                    String v = genValue();
                    if (v.isEmpty()) {
                        return malformed("expected a value for " + name, valueAt);
                    }
                    value = Optional.of(v);
                }
                skipWhitespace();
            }
            switch (name) {
                case "reason" -> {
                    if (reason.isPresent()) {
                        return malformed("repeated reason", nameAt);
                    }
                    if (value.isEmpty() || quoted || !Tokens.isToken(value.get())) {
                        return malformed("reason is not a token", valueAt);
                    }
                    reason = value;
                }
                case "expires", "retry-after" -> {
                    boolean isExpires = name.equals("expires");
                    if ((isExpires ? expires : retryAfter).isPresent()) {
                        return malformed("repeated " + name, nameAt);
                    }
                    OptionalLong delta = quoted ? OptionalLong.empty() : deltaSeconds(value);
                    if (delta.isEmpty()) {
                        return malformed(name + " is not delta-seconds", valueAt);
                    }
                    if (isExpires) {
                        expires = delta;
                    } else {
                        retryAfter = delta;
                    }
                }
                default -> {
                    // generic-param (RFC 6665 §8.4): no meaning for the gateway.
                }
            }
        }
        return switch (substate.toLowerCase(Locale.ROOT)) {
            case "active" -> Mapped.ok(new SubscriptionState.Active(expires));
            case "pending" -> Mapped.ok(new SubscriptionState.Pending(expires));
            // RFC 6665 §4.1.3: expires has no meaning on terminated and is ignored.
            case "terminated" -> Mapped.ok(new SubscriptionState.Terminated(reason, retryAfter));
            default -> malformed("substate is not active, pending or terminated (RFC 6665 §4.2.2)", start);
        };
    }

    private void skipWhitespace() {
        while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
            pos++;
        }
    }

    private String token() {
        int start = pos;
        while (pos < s.length() && Tokens.isTokenChar(s.charAt(pos))) {
            pos++;
        }
        return s.substring(start, pos);
    }

    /** RFC 3261 §25.1 {@code gen-value} other than a quoted string: a token or a host (with IPv6 brackets). */
    private String genValue() {
        int start = pos;
        while (pos < s.length() && (Tokens.isTokenChar(s.charAt(pos)) || "[]:".indexOf(s.charAt(pos)) >= 0)) {
            pos++;
        }
        return s.substring(start, pos);
    }

    /** RFC 3261 §25.1 {@code quoted-string} with {@code quoted-pair}; empty if it does not end. */
    private Optional<String> quotedString() {
        StringBuilder sb = new StringBuilder();
        pos++;
        while (pos < s.length()) {
            char c = s.charAt(pos++);
            if (c == '"') {
                return Optional.of(sb.toString());
            }
            if (c == '\\') {
                if (pos >= s.length()) {
                    return Optional.empty();
                }
                c = s.charAt(pos++);
            }
            sb.append(c);
        }
        return Optional.empty();
    }

    /** RFC 3261 §25.1 {@code delta-seconds = 1*DIGIT}, larger values counted as 2^32-1 (RFC 3261 §10.2.1). */
    private static OptionalLong deltaSeconds(Optional<String> value) {
        if (value.isEmpty() || value.get().isEmpty()) {
            return OptionalLong.empty();
        }
        long n = 0;
        for (int i = 0; i < value.get().length(); i++) {
            char c = value.get().charAt(i);
            if (c < '0' || c > '9') {
                return OptionalLong.empty();
            }
            n = Math.min(n * 10 + (c - '0'), SubscriptionState.MAX_DELTA_SECONDS);
        }
        return OptionalLong.of(n);
    }

    private static <T> Mapped<T> malformed(String what, int offset) {
        return Mapped.rejected(StanzaErrorCondition.BAD_REQUEST,
                "malformed Subscription-State: " + what + " at offset " + offset);
    }
}
