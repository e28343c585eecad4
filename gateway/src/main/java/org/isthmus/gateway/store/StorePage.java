package org.isthmus.gateway.store;

import java.util.List;
import java.util.Optional;

/**
 * One page of a scan: at most the requested number of entries, and the cursor to pass for the next
 * page, empty once the scan is complete. A page may be short, even empty, while {@code next} is present.
 */
public record StorePage(List<StoreEntry> entries, Optional<String> next) {

    /** Copies the list. */
    public StorePage {
        entries = List.copyOf(entries);
        if (next == null) {
            throw new IllegalArgumentException("next is required (Optional.empty() when done)");
        }
    }

    /** True when this is the last page. */
    public boolean isLast() {
        return next.isEmpty();
    }
}
