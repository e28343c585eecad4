package org.isthmus.gateway.config;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The rates allowed to one key (a SIP source address, an XMPP peer domain, a user or a partner), per
 * kind of traffic; a kind without a rate is not limited.
 *
 * @param rates the rate of each limited kind of traffic
 */
public record Limits(Map<Traffic, Rate> rates) {

    /** Nothing limited. */
    public static final Limits NONE = new Limits(Map.of());

    public Limits {
        rates = rates.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(rates));
    }

    /** The rate for {@code traffic}, if it is limited. */
    public Optional<Rate> rate(Traffic traffic) {
        return Optional.ofNullable(rates.get(traffic));
    }

    /** These rates, with those {@code override} gives replacing them kind by kind. */
    public Limits overriddenBy(Limits override) {
        Map<Traffic, Rate> merged = new EnumMap<>(Traffic.class);
        merged.putAll(rates);
        merged.putAll(override.rates);
        return new Limits(merged);
    }
}
