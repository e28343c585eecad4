package org.isthmus.mapping.document.pidf;

import java.util.Optional;

/**
 * What a person is doing: the enumerated values of the RPID {@code <activities>} element
 * (RFC 4480 §3.2). Free text is carried in {@link Activities#others()} instead ({@code <other>}).
 */
public enum Activity {
    APPOINTMENT("appointment"),
    AWAY("away"),
    BREAKFAST("breakfast"),
    BUSY("busy"),
    DINNER("dinner"),
    HOLIDAY("holiday"),
    IN_TRANSIT("in-transit"),
    LOOKING_FOR_WORK("looking-for-work"),
    LUNCH("lunch"),
    MEAL("meal"),
    MEETING("meeting"),
    ON_THE_PHONE("on-the-phone"),
    PERFORMANCE("performance"),
    PERMANENT_ABSENCE("permanent-absence"),
    PLAYING("playing"),
    PRESENTATION("presentation"),
    SHOPPING("shopping"),
    SLEEPING("sleeping"),
    SPECTATOR("spectator"),
    STEERING("steering"),
    TRAVEL("travel"),
    TV("tv"),
    UNKNOWN("unknown"),
    VACATION("vacation"),
    WORKING("working"),
    WORSHIP("worship");

    private final String wire;

    Activity(String wire) {
        this.wire = wire;
    }

    /** The element's local name in the RPID namespace. */
    public String wire() {
        return wire;
    }

    /** The activity for an RPID element name, if it is one RFC 4480 §3.2 defines. */
    public static Optional<Activity> fromWire(String localName) {
        for (Activity a : values()) {
            if (a.wire.equals(localName)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
