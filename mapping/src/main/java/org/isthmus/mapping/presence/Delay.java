package org.isthmus.mapping.presence;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.address.Jid;

/**
 * The delayed-delivery stamp of a stanza (XEP-0203 §2): when the presence was originally sent.
 *
 * @param stamp  when the stanza was originally sent (UTC on the wire, XEP-0082)
 * @param from   the entity that sent or delayed the stanza, if stated
 * @param reason the natural-language reason for the delay, if any
 */
public record Delay(Instant stamp, Optional<Jid> from, Optional<String> reason) {
    public Delay {
        Objects.requireNonNull(stamp, "stamp");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(reason, "reason");
    }

    /** A stamp without origin or reason. */
    public static Delay of(Instant stamp) {
        return new Delay(stamp, Optional.empty(), Optional.empty());
    }
}
