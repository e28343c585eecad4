package org.isthmus.gateway.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One namespace of a {@link StateStore} seen as records of one type, encoded by a {@link RecordCodec};
 * e.g. {@code store.records("dialogs", dialogCodec)}. Same semantics as the store's operations.
 *
 * @param <T> the record type
 */
public final class RecordStore<T> {

    private final StateStore store;
    private final String namespace;
    private final RecordCodec<T> codec;

    RecordStore(StateStore store, String namespace, RecordCodec<T> codec) {
        if (store == null || codec == null) {
            throw new IllegalArgumentException("store and codec are required");
        }
        this.store = store;
        this.namespace = StoreKey.checkNamespace(namespace);
        this.codec = codec;
    }

    /** The namespace this view reads and writes. */
    public String namespace() {
        return namespace;
    }

    /** The record named {@code name}, or empty. */
    public CompletionStage<Optional<Versioned<T>>> get(String name) {
        return store.get(key(name)).thenApply(entry -> entry.map(this::decode));
    }

    /** Stores {@code value} with no expiry; completes with its version once durable. */
    public CompletionStage<Long> put(String name, T value) {
        return store.put(key(name), codec.encode(value), Optional.empty());
    }

    /** Stores {@code value} expiring after {@code ttl}; completes with its version once durable. */
    public CompletionStage<Long> put(String name, T value, Duration ttl) {
        return store.put(key(name), codec.encode(value), Optional.of(ttl));
    }

    /** {@link StateStore#putIfVersion} with no expiry. */
    public CompletionStage<OptionalLong> putIfVersion(String name, long expectedVersion, T value) {
        return store.putIfVersion(key(name), expectedVersion, codec.encode(value), Optional.empty());
    }

    /** {@link StateStore#putIfVersion} expiring after {@code ttl}. */
    public CompletionStage<OptionalLong> putIfVersion(String name, long expectedVersion, T value, Duration ttl) {
        return store.putIfVersion(key(name), expectedVersion, codec.encode(value), Optional.of(ttl));
    }

    /** Removes the record; completes with whether there was one. */
    public CompletionStage<Boolean> delete(String name) {
        return store.delete(key(name));
    }

    /** {@link StateStore#deleteIfVersion}. */
    public CompletionStage<Boolean> deleteIfVersion(String name, long expectedVersion) {
        return store.deleteIfVersion(key(name), expectedVersion);
    }

    /**
     * Every record whose name starts with {@code prefix}, a page at a time as {@link StateStore#scanAll}
     * does; a record that does not decode fails the whole scan with a {@link StoreException} naming it.
     */
    public CompletionStage<Long> scanAll(String prefix, int pageSize,
                                         Function<List<Versioned<T>>, ? extends CompletionStage<?>> onPage) {
        return store.scanAll(namespace, prefix, pageSize, page -> {
            List<Versioned<T>> records = new ArrayList<>(page.entries().size());
            for (StoreEntry entry : page.entries()) {
                records.add(decode(entry));
            }
            return onPage.apply(records);
        });
    }

    private StoreKey key(String name) {
        return new StoreKey(namespace, name);
    }

    private Versioned<T> decode(StoreEntry entry) {
        T value;
        try {
            value = codec.decode(entry.value());
        } catch (RuntimeException e) {
            throw new StoreException("cannot decode the record at " + entry.key(), e);
        }
        return new Versioned<>(entry.key().name(), value, entry.version());
    }
}
