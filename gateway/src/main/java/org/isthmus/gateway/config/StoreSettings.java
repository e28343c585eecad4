package org.isthmus.gateway.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the gateway keeps state that must survive a restart (DESIGN.md, StateStore).
 *
 * @param kind      the store
 * @param dataDir   for {@link Kind#EMBEDDED}: the directory of the MVStore file
 * @param redisUris for {@link Kind#REDIS}: the one server, e.g. {@code redis://127.0.0.1:6379}; for
 *                  {@link Kind#REDIS_CLUSTER}: seed nodes of the cluster, from which the client learns
 *                  the others
 */
public record StoreSettings(Kind kind, Optional<Path> dataDir, List<String> redisUris) {

    /** The store implementations. */
    public enum Kind {
        /** H2's MVStore in a local directory: one node. */
        EMBEDDED,
        /** One Redis server, shared by several nodes. */
        REDIS,
        /** A Redis Cluster, shared by several nodes, its entries spread over every master. */
        REDIS_CLUSTER
    }

    /** Checks the parts and copies the list. */
    public StoreSettings {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(dataDir, "dataDir");
        redisUris = List.copyOf(redisUris);
        String missing = switch (kind) {
            case EMBEDDED -> dataDir.isPresent() ? "" : "a data directory";
            case REDIS -> redisUris.size() == 1 ? "" : "exactly one Redis URI";
            case REDIS_CLUSTER -> redisUris.isEmpty() ? "at least one seed URI" : "";
        };
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the " + kind + " store needs " + missing);
        }
    }
}
