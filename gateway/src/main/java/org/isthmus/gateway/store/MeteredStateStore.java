package org.isthmus.gateway.store;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

import org.isthmus.gateway.metrics.GatewayMeters;

/**
 * A {@link StateStore} that times every operation of another, from the call until its stage completes
 * (for a write: until it is durable), tagged with the operation and whether it failed. Everything else
 * is the wrapped store's: the data, the semantics, the threads that complete the stages.
 */
public final class MeteredStateStore implements StateStore {

    private final StateStore store;
    private final GatewayMeters meters;

    /**
     * @param store  the store that does the work
     * @param meters where the timings go
     */
    public MeteredStateStore(StateStore store, GatewayMeters meters) {
        this.store = Objects.requireNonNull(store, "store");
        this.meters = Objects.requireNonNull(meters, "meters");
    }

    @Override
    public CompletionStage<Optional<StoreEntry>> get(StoreKey key) {
        return timed("get", System.nanoTime(), store.get(key));
    }

    @Override
    public CompletionStage<Long> put(StoreKey key, byte[] value, Optional<Duration> ttl) {
        return timed("put", System.nanoTime(), store.put(key, value, ttl));
    }

    @Override
    public CompletionStage<OptionalLong> putIfVersion(StoreKey key, long expectedVersion, byte[] value,
                                                      Optional<Duration> ttl) {
        return timed("put_if_version", System.nanoTime(), store.putIfVersion(key, expectedVersion, value, ttl));
    }

    @Override
    public CompletionStage<Boolean> delete(StoreKey key) {
        return timed("delete", System.nanoTime(), store.delete(key));
    }

    @Override
    public CompletionStage<Boolean> deleteIfVersion(StoreKey key, long expectedVersion) {
        return timed("delete_if_version", System.nanoTime(), store.deleteIfVersion(key, expectedVersion));
    }

    @Override
    public CompletionStage<Long> increment(StoreKey key, long delta) {
        return timed("increment", System.nanoTime(), store.increment(key, delta));
    }

    @Override
    public CompletionStage<StorePage> scan(String namespace, String prefix, Optional<String> cursor, int limit) {
        return timed("scan", System.nanoTime(), store.scan(namespace, prefix, cursor, limit));
    }

    @Override
    public void close() {
        store.close();
    }

    /** The wrapped store's description, which the gateway logs at start. */
    @Override
    public String toString() {
        return store.toString();
    }

    /**
     * Records the operation when {@code stage} completes. The stage returned is the store's own, so a
     * caller's continuations run exactly where they would without the meter.
     */
    private <T> CompletionStage<T> timed(String operation, long start, CompletionStage<T> stage) {
        stage.whenComplete((value, error) -> meters.storeOperation(operation, error == null, System.nanoTime() - start));
        return stage;
    }
}
