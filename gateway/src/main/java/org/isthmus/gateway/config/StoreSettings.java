package org.isthmus.gateway.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the gateway keeps state that must survive a restart (DESIGN.md, StateStore).
 *
 * @param kind     the store
 * @param dataDir  for {@link Kind#EMBEDDED}: the directory of the MVStore file
 * @param redisUri for {@link Kind#REDIS}: the server, e.g. {@code redis://127.0.0.1:6379}
 */
public record StoreSettings(Kind kind, Optional<Path> dataDir, Optional<String> redisUri) {

    /** The store implementations. */
    public enum Kind {
        /** H2's MVStore in a local directory: one node. */
        EMBEDDED,
        /** Redis, shared by several nodes. */
        REDIS
    }

    public StoreSettings {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(redisUri, "redisUri");
    }
}
