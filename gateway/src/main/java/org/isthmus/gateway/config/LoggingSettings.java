package org.isthmus.gateway.config;

import java.util.Objects;

/**
 * How the gateway logs (the {@code logging} section).
 *
 * @param format    {@link Format#TEXT}, one readable line per event, or {@link Format#JSON}, one JSON
 *                  object per line for a log collector
 * @param logBodies whether message bodies may appear in the logs: the SIP wire trace at TRACE and
 *                  JAIN-SIP's own debug log print whole messages. Off by default, so that a debug level
 *                  turned on to find a fault does not record what people wrote to each other.
 */
public record LoggingSettings(Format format, boolean logBodies) {

    /** Text lines, no bodies. */
    public static final LoggingSettings DEFAULT = new LoggingSettings(Format.TEXT, false);

    /** The log line format. */
    public enum Format {
        /** {@code time level [thread] logger - message}, as conf/logback.xml writes it. */
        TEXT,
        /** JSON Lines, as conf/logback-json.xml writes it. */
        JSON
    }

    public LoggingSettings {
        Objects.requireNonNull(format, "format");
    }
}
