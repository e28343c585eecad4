package org.isthmus.sip;

/**
 * The notifier's limits on subscription durations (RFC 6665 §4.2.1.1): a SUBSCRIBE asking for less than
 * {@code minExpires} seconds (but more than 0) gets 423 Interval Too Brief with Min-Expires (§4.2.1.1,
 * RFC 3261 §21.4.17); one asking for more gets {@code maxExpires} in the 200's Expires.
 *
 * @param minExpires the shortest subscription accepted, at least 1
 * @param maxExpires the longest subscription granted, at least {@code minExpires}
 */
public record SipPresence(long minExpires, long maxExpires) {

    /** One minute to one hour; one hour is also the presence package's default (RFC 3856 §6.4). */
    public static final SipPresence DEFAULT = new SipPresence(60, 3600);

    public SipPresence {
        if (minExpires < 1 || maxExpires < minExpires || maxExpires > 4_294_967_295L) {
            throw new SipException("presence expires limits out of order: min " + minExpires + ", max " + maxExpires);
        }
    }
}
