package org.isthmus.gateway.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One stored value as read: its key, its bytes and its version. The version is positive, changes on
 * every write of the key and is never reused for that key by a store (so a compare-and-set with a
 * version read before a delete and re-create fails, as it should).
 */
public record StoreEntry(StoreKey key, byte[] value, long version) {

    /** Copies the value, so the entry stays immutable. */
    public StoreEntry {
        if (key == null || value == null) {
            throw new IllegalArgumentException("key and value are required");
        }
        if (version <= 0) {
            throw new IllegalArgumentException("a stored version is positive: " + version);
        }
        value = value.clone();
    }

    /** A copy of the stored bytes. */
    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The stored bytes read as UTF-8 text (the form text codecs and counters use). */
    public String text() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StoreEntry that && key.equals(that.key) && version == that.version
                && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return (key.hashCode() * 31 + Long.hashCode(version)) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "StoreEntry[" + key + ", " + value.length + " bytes, version " + version + "]";
    }
}
