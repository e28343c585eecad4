package org.isthmus.mapping.subscription;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.message.MediaType;

/**
 * A SIP SUBSCRIBE for presence as the gateway sees it (RFC 6665 §3.1, RFC 3856 §6): who watches whom,
 * for how long, the event package and the accepted body types. Dialog details (tags, CSeq, route set)
 * stay with the SIP edge and the gateway's dialog store.
 *
 * @param watcher    the subscriber, from the From header
 * @param presentity the resource watched, from the Request-URI
 * @param expires    the Expires header, if present; absent means the package default of
 *                   {@value #DEFAULT_EXPIRES} seconds (RFC 3856 §6.4)
 * @param event      the event package token of the Event header (RFC 6665 §8.2.1)
 * @param accept     the media types of the Accept header, in order; empty if the header is absent,
 *                   which for presence means {@code application/pidf+xml} (RFC 3856 §6.5)
 * @param inDialog   true if sent within an existing subscription dialog (a To tag is present): a
 *                   refresh, or with Expires 0 an unsubscribe (RFC 6665 §4.1.2.2, §4.1.2.3); false
 *                   for a request that creates a dialog, which with Expires 0 is a fetch (§4.4.3)
 * @param callId     the Call-ID, if known (a received request always has one)
 */
public record SipSubscribe(SipUri watcher, SipUri presentity, OptionalLong expires, String event,
                           List<MediaType> accept, boolean inDialog, Optional<String> callId) {

    /** The presence event package (RFC 3856 §6.1). */
    public static final String PRESENCE_EVENT = "presence";

    /** The presence package's default subscription duration in seconds (RFC 3856 §6.4). */
    public static final long DEFAULT_EXPIRES = 3600;

    /** The body type every presence subscriber and notifier supports (RFC 3856 §6.5). */
    public static final MediaType PIDF = new MediaType("application", "pidf+xml", Map.of());

    public SipSubscribe {
        Objects.requireNonNull(watcher, "watcher");
        Objects.requireNonNull(presentity, "presentity");
        Objects.requireNonNull(expires, "expires");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(callId, "callId");
        accept = List.copyOf(accept);
        expires.ifPresent(e -> Durations.check(e, "Expires"));
    }

    /**
     * A presence SUBSCRIBE the gateway sends, with {@code Event: presence} and
     * {@code Accept: application/pidf+xml} as RFC 8048 §5.2.1 Example 2 shows.
     */
    public static SipSubscribe presence(SipUri watcher, SipUri presentity, long expires, boolean inDialog) {
        return new SipSubscribe(watcher, presentity, OptionalLong.of(expires), PRESENCE_EVENT, List.of(PIDF),
                inDialog, Optional.empty());
    }

    /** The duration asked for: the Expires header, or the package default when it is absent. */
    public long effectiveExpires() {
        return expires.orElse(DEFAULT_EXPIRES);
    }

    /** An Expires 0 request in a new dialog: a one-time poll of state (RFC 6665 §4.4.3, RFC 8048 §7). */
    public boolean isFetch() {
        return effectiveExpires() == 0 && !inDialog;
    }

    /** An Expires 0 request in the subscription's dialog: the end of the subscription (RFC 6665 §4.1.2.3). */
    public boolean isUnsubscribe() {
        return effectiveExpires() == 0 && inDialog;
    }
}
