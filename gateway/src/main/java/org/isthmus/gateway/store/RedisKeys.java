package org.isthmus.gateway.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

import io.lettuce.core.cluster.SlotHash;

/**
 * Where {@link RedisStore} keeps its data, the same on a single server and on a Redis Cluster.
 *
 * <p>An entry is a hash at {@code {namespace:name}}: the whole key is a hash tag, so entries spread
 * over every slot, and so over every master of a cluster. Versions come from one counter per hash
 * slot, at {@code #version:{t}} where {@code t} is the smallest decimal numeral whose own slot is that
 * slot: an entry and the counter it draws versions from always share a slot, which is what lets one Lua
 * script touch both on a cluster (Redis refuses keys of two slots in one script with CROSSSLOT). A
 * counter outlives the entries it numbered, so a version is never given twice for a key, even across
 * a delete and re-create, and there are never more than 16,384 counters. When a cluster moves a slot
 * to another master, the counter moves with the entries.
 *
 * <p>Counter keys start with {@code #}, never with {@code {}, so no namespace's scan pattern matches
 * them.
 */
final class RedisKeys {

    /** For each slot, the smallest number whose decimal form hashes to it. */
    private static final int[] SLOT_TAGS = slotTags();

    private RedisKeys() {
    }

    /** The key of the hash that holds the entry {@code key}. */
    static String entry(StoreKey key) {
        return "{" + key.namespace() + ":" + key.name() + "}";
    }

    /** The hash slot of a Redis key, as the server computes it (CRC16 of the UTF-8 bytes or of the hash tag). */
    static int slot(String redisKey) {
        return SlotHash.getSlot(redisKey.getBytes(StandardCharsets.UTF_8));
    }

    /** The version counter in the slot of {@code entryKey}. */
    static String versionCounter(String entryKey) {
        return "#version:{" + SLOT_TAGS[slot(entryKey)] + "}";
    }

    /** The SCAN MATCH pattern of the entries of {@code namespace} whose names start with {@code prefix}. */
    static String pattern(String namespace, String prefix) {
        return "{" + namespace + ":" + globEscape(prefix) + "*}";
    }

    /** The name of the entry at {@code redisKey} if it is an entry key of {@code namespace}. */
    static Optional<String> name(String namespace, String redisKey) {
        int start = namespace.length() + 2;
        if (redisKey.length() <= start + 1 || redisKey.charAt(0) != '{' || !redisKey.startsWith(namespace, 1)
                || redisKey.charAt(start - 1) != ':' || !redisKey.endsWith("}")) {
            return Optional.empty();
        }
        return Optional.of(redisKey.substring(start, redisKey.length() - 1));
    }

    /** Escapes the characters SCAN MATCH's glob gives a meaning to. */
    static String globEscape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    /**
     * Numbers each slot by the first numeral that lands in it: about 170,000 CRC16s of a few bytes, once.
     * The table depends only on CRC16, so every node and every release computes the same counter keys.
     */
    private static int[] slotTags() {
        int[] tags = new int[SlotSet.SLOT_COUNT];
        Arrays.fill(tags, -1);
        int missing = tags.length;
        for (int n = 0; missing > 0; n++) {
            int slot = SlotHash.getSlot(Integer.toString(n).getBytes(StandardCharsets.US_ASCII));
            if (tags[slot] < 0) {
                tags[slot] = n;
                missing--;
            }
        }
        return tags;
    }
}
