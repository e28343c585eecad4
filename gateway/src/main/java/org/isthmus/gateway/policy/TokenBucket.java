package org.isthmus.gateway.policy;

import org.isthmus.gateway.config.Rate;

/**
 * One token bucket: it holds up to {@code burst} tokens, refills at {@code perSecond}, and each event
 * takes one. Not thread-safe; {@link KeyedLimiter} guards it. Time is passed in (System.nanoTime()
 * values), so the arithmetic is tested without waiting.
 */
final class TokenBucket {

    private static final double NANOS_PER_SECOND = 1e9;

    private final Rate rate;
    private double tokens;
    private long updatedNanos;

    TokenBucket(Rate rate, long nowNanos) {
        this.rate = rate;
        this.tokens = rate.burst();
        this.updatedNanos = nowNanos;
    }

    Rate rate() {
        return rate;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - updatedNanos;
        if (elapsed > 0) {
            tokens = Math.min(rate.burst(), tokens + elapsed * rate.perSecond() / NANOS_PER_SECOND);
            updatedNanos = nowNanos;
        }
    }

    /**
     * Takes a token if there is one.
     *
     * @return 0 when taken; otherwise the nanoseconds until one is there
     */
    long take(long nowNanos) {
        refill(nowNanos);
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - tokens) * NANOS_PER_SECOND / rate.perSecond());
    }

    /** Whether the bucket is full, so forgetting it loses nothing: the key has been quiet long enough. */
    boolean isFull(long nowNanos) {
        refill(nowNanos);
        return tokens >= rate.burst();
    }
}
