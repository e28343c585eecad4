package org.isthmus.mapping.message.imdn;

import java.util.Arrays;
import java.util.Optional;

/**
 * A notification an IM Sender can ask for in the Disposition-Notification header (RFC 5438 §7.1.1.3,
 * the {@code notify-req} values of §10).
 */
public enum RequestedDisposition {
    /** A report that the IM was delivered (§5.1). */
    POSITIVE_DELIVERY("positive-delivery"),
    /** A report that the IM could not be delivered (§5.1). */
    NEGATIVE_DELIVERY("negative-delivery"),
    /** A report from an intermediary that it processed or stored the IM (§5.2). */
    PROCESSING("processing"),
    /** A report that the IM was shown to its recipient (§5.3). */
    DISPLAY("display");

    private final String wire;

    RequestedDisposition(String wire) {
        this.wire = wire;
    }

    /** The value as the header writes it. */
    public String wire() {
        return wire;
    }

    /** The value a header names, compared case-sensitively as §10 requires; empty for any other token. */
    public static Optional<RequestedDisposition> fromWire(String value) {
        return Arrays.stream(values()).filter(d -> d.wire.equals(value)).findFirst();
    }
}
