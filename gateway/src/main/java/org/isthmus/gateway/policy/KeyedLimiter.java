package org.isthmus.gateway.policy;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

import org.isthmus.gateway.config.Rate;

/**
 * Token buckets by key (a source address, a domain, a user), with bounded memory: at most
 * {@code maxKeys} buckets. A new key past the cap replaces the least recently used bucket if that one
 * is full (its key went quiet; forgetting it loses nothing); when even that one is in use, the new
 * key shares one overflow bucket per rate with every other such key, so a flood of fresh keys (spoofed
 * UDP sources, say) is limited as a whole instead of growing the table. Thread-safe.
 */
final class KeyedLimiter {

    private final int maxKeys;
    private final Map<String, TokenBucket> buckets;
    private final Map<Rate, TokenBucket> overflow = new LinkedHashMap<>();

    KeyedLimiter(int maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be positive");
        }
        this.maxKeys = maxKeys;
        this.buckets = new LinkedHashMap<>(Math.min(maxKeys, 1024), 0.75f, true);
    }

    /**
     * Takes one token from {@code key}'s bucket, made with {@code rate} if it is new (or if the rate of
     * the key changed).
     *
     * @return empty when taken; otherwise the nanoseconds until the key may try again
     */
    synchronized OptionalLong take(String key, Rate rate, long nowNanos) {
        TokenBucket bucket = buckets.get(key);
        if (bucket == null || !bucket.rate().equals(rate)) {
            bucket = admitKey(key, rate, nowNanos);
        }
        long wait = bucket.take(nowNanos);
        return wait == 0 ? OptionalLong.empty() : OptionalLong.of(wait);
    }

    private TokenBucket admitKey(String key, Rate rate, long nowNanos) {
        if (buckets.size() >= maxKeys && !buckets.containsKey(key)) {
            Iterator<TokenBucket> eldest = buckets.values().iterator();
            if (eldest.hasNext() && eldest.next().isFull(nowNanos)) {
                eldest.remove();
            } else {
                return overflow.computeIfAbsent(rate, r -> new TokenBucket(r, nowNanos));
            }
        }
        TokenBucket bucket = new TokenBucket(rate, nowNanos);
        buckets.put(key, bucket);
        return bucket;
    }

    /** How many keys have a bucket of their own now. */
    synchronized int size() {
        return buckets.size();
    }
}
