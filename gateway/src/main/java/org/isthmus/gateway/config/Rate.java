package org.isthmus.gateway.config;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A token-bucket rate: how many events a second on average, and how many at once after a quiet spell.
 * Written in gateway.yaml as {@code 20/s}, {@code 600/m} or {@code 3600/h}, or as a mapping
 * {@code {rate: 20/s, burst: 40}}.
 *
 * @param perSecond the sustained rate, events a second; positive
 * @param burst     the bucket size, at least 1
 */
public record Rate(double perSecond, int burst) {

    private static final Pattern TEXT = Pattern.compile("(\\d{1,9})\\s*/\\s*(s|m|h)");

    public Rate {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("rate must be positive: " + perSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1: " + burst);
        }
    }

    /**
     * {@code N/s}, {@code N/m} or {@code N/h} with the default burst (one second's worth, at least 1);
     * empty when the text is not one of these or N is 0.
     */
    public static Optional<Rate> parse(String text) {
        Matcher m = TEXT.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        if (n == 0) {
            return Optional.empty();
        }
        double perSecond = switch (m.group(2)) {
            case "s" -> n;
            case "m" -> n / 60.0;
            default -> n / 3600.0;
        };
        return Optional.of(new Rate(perSecond, defaultBurst(perSecond)));
    }

    /** One second's worth of events, and at least one. */
    public static int defaultBurst(double perSecond) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(perSecond)));
    }

    /** This rate with another burst. */
    public Rate withBurst(int newBurst) {
        return new Rate(perSecond, newBurst);
    }
}
