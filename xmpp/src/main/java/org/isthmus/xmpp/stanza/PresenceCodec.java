package org.isthmus.xmpp.stanza;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.message.E2ePayload;
import org.isthmus.mapping.message.SecuredObject;
import org.isthmus.mapping.presence.Delay;
import org.isthmus.mapping.presence.PresenceType;
import org.isthmus.mapping.presence.Show;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.subscription.XmppSubscription;
import org.isthmus.mapping.subscription.XmppSubscriptionType;
import org.isthmus.xmpp.stream.XmlElement;

/**
 * Converts between a {@code <presence/>} element (RFC 6121 §4.7) and mapping's values: an
 * {@link XmppPresence} for availability (no type, {@code unavailable}, {@code error}) and an
 * {@link XmppSubscription} for the subscription types and the probe (RFC 6121 §3, §4.3).
 */
public final class PresenceCodec {

    /** The namespace of the delayed-delivery stamp (XEP-0203 §2). */
    public static final String DELAY = "urn:xmpp:delay";

    private PresenceCodec() {
    }

    /** What an inbound {@code <presence/>} is: availability, or a subscription request or answer. */
    public sealed interface Decoded permits Availability, Subscription {

        /** Hands the value to the consumer for its kind. */
        void dispatch(Consumer<XmppPresence> onPresence, Consumer<XmppSubscription> onSubscription);
    }

    /**
     * A presence that notifies availability: available, unavailable, or an error (RFC 6121 §4.7.1).
     *
     * @param presence the presence
     */
    public record Availability(XmppPresence presence) implements Decoded {
        public Availability {
            Objects.requireNonNull(presence, "presence");
        }

        @Override
        public void dispatch(Consumer<XmppPresence> onPresence, Consumer<XmppSubscription> onSubscription) {
            onPresence.accept(presence);
        }
    }

    /**
     * A presence of type subscribe, subscribed, unsubscribe, unsubscribed or probe (RFC 6121 §3, §4.3).
     *
     * @param subscription the subscription stanza
     */
    public record Subscription(XmppSubscription subscription) implements Decoded {
        public Subscription {
            Objects.requireNonNull(subscription, "subscription");
        }

        @Override
        public void dispatch(Consumer<XmppPresence> onPresence, Consumer<XmppSubscription> onSubscription) {
            onSubscription.accept(subscription);
        }
    }

    /**
     * The presence or subscription stanza a {@code <presence/>} element carries, or why it cannot be read.
     *
     * <ul>
     *   <li>A missing or malformed {@code from} or {@code to} is refused with {@code jid-malformed}
     *       (RFC 6120 §8.3.3.8; XEP-0114 §3 requires both on a component stream).</li>
     *   <li>A {@code type} that RFC 6121 §4.7.1 does not define (including {@code available}) is
     *       refused with {@code bad-request}, as that section asks.</li>
     *   <li>On an available presence: more than one {@code <show/>} or {@code <priority/>}, a show
     *       other than the four of §4.7.2.1, or a priority that is not an integer from -128 to 127
     *       (§4.7.2.3) is refused with {@code bad-request}.</li>
     *   <li>On an available or unavailable presence: two {@code <status/>} elements in one language,
     *       their own or inherited from the stanza, compared case-insensitively (§4.7.2.2), are refused
     *       with {@code bad-request}. {@code <show/>} and {@code <priority/>} on an unavailable presence
     *       are ignored: §4.5.1 forbids them, and they describe an available resource only.</li>
     *   <li>A XEP-0203 {@code <delay/>} must be the only one and carry a valid {@code stamp} (XEP-0082,
     *       any offset, read as an instant), else {@code bad-request}; a malformed {@code from} on it is
     *       refused with {@code jid-malformed}.</li>
     *   <li>A {@code type='error'} presence is read as far as it can be, so that the gateway learns of
     *       the failure and no error is ever answered with one (RFC 6120 §8.3.1): only its addresses
     *       must be valid; its show and priority are ignored, a second status in a language and a bad
     *       delay are dropped, and a missing or unreadable {@code <error/>} reads as
     *       {@code undefined-condition}.</li>
     *   <li>An {@code <e2e xmlns='urn:ietf:params:xml:ns:xmpp-e2e'/>} child, the secured presence of
     *       RFC 3923 §4.1, is read as its character data; headers the sender wrote about it are not
     *       read, as for messages.</li>
     *   <li>The children of a subscription stanza are not read: {@link XmppSubscription} carries its
     *       addresses, type and id only.</li>
     * </ul>
     */
    public static Mapped<Decoded> fromElement(XmlElement presence) {
        return StanzaAddresses.of(presence).then(addresses -> read(presence, addresses.from(), addresses.to()));
    }

    private static Mapped<Decoded> read(XmlElement presence, Jid from, Jid to) {
        Optional<String> id = presence.attribute("id");
        Optional<String> type = presence.attribute("type");
        if (type.isEmpty()) {
            return availability(presence, from, to, id, PresenceType.AVAILABLE);
        }
        return switch (type.get()) {
            case "unavailable" -> availability(presence, from, to, id, PresenceType.UNAVAILABLE);
            case "error" -> availability(presence, from, to, id, PresenceType.ERROR);
            case "subscribe", "subscribed", "unsubscribe", "unsubscribed", "probe" -> Mapped.ok(new Subscription(
                    XmppSubscription.of(from, to, XmppSubscriptionType.fromWire(type.get()).orElseThrow(), id)));
            default -> badRequest("presence type is not one of RFC 6121 §4.7.1");
        };
    }

    private static Mapped<Decoded> availability(XmlElement presence, Jid from, Jid to, Optional<String> id,
                                                PresenceType type) {
        String ns = presence.namespace();
        boolean error = type == PresenceType.ERROR;
        Optional<String> lang = presence.attribute(XmlElement.XML_LANG).filter(l -> !l.isEmpty());

        List<LocalizedText> statuses = new ArrayList<>();
        for (XmlElement child : presence.children(ns, "status")) {
            LocalizedText status = new LocalizedText(child.attribute(XmlElement.XML_LANG).filter(l -> !l.isEmpty()),
                    child.text());
            if (LocalizedText.inLanguage(statuses, lang, status.lang().or(() -> lang)).isEmpty()) {
                statuses.add(status);
            } else if (!error) {
                return badRequest("two <status/> elements in one language (RFC 6121 §4.7.2.2)");
            }
        }

        Optional<Show> show = Optional.empty();
        int priority = 0;
        if (type == PresenceType.AVAILABLE) {
            List<XmlElement> shows = presence.children(ns, "show");
            if (shows.size() > 1) {
                return badRequest("more than one <show/> (RFC 6121 §4.7.2.1)");
            }
            if (shows.size() == 1) {
                show = Show.fromWire(shows.get(0).text().strip());
                if (show.isEmpty()) {
                    return badRequest("<show/> is not away, chat, dnd or xa (RFC 6121 §4.7.2.1)");
                }
            }
            List<XmlElement> priorities = presence.children(ns, "priority");
            if (priorities.size() > 1) {
                return badRequest("more than one <priority/> (RFC 6121 §4.7.2.3)");
            }
            if (priorities.size() == 1) {
                Optional<Integer> value = priority(priorities.get(0).text());
                if (value.isEmpty()) {
                    return badRequest("<priority/> is not an integer from -128 to 127 (RFC 6121 §4.7.2.3)");
                }
                priority = value.get();
            }
        }

        Optional<Delay> delay = Optional.empty();
        List<XmlElement> delays = presence.children(DELAY, "delay");
        if (delays.size() > 1 && !error) {
            return badRequest("more than one <delay/> (XEP-0203 §2)");
        }
        if (!delays.isEmpty()) {
            Mapped<Delay> read = delay(delays.get(0));
            if (read instanceof Mapped.Ok<Delay> ok) {
                delay = Optional.of(ok.value());
            } else if (!error) {
                return read.map(d -> null);
            }
        }

        Optional<StanzaError> stanzaError = Optional.empty();
        if (error) {
            stanzaError = Optional.of(presence.child(ns, "error").map(StanzaErrors::fromElement)
                    .orElseGet(() -> StanzaError.of(StanzaErrorCondition.UNDEFINED_CONDITION, null)));
        }
        Optional<E2ePayload> e2e = presence.child(SecuredObject.E2E_NAMESPACE, "e2e").map(e -> E2ePayload.of(e.text()));
        // Every invariant of XmppPresence was checked above, so the constructor cannot throw here.
        return Mapped.ok(new Availability(new XmppPresence(from, to, id, type, lang, show, statuses, priority, delay,
                stanzaError, e2e)));
    }

    /** RFC 6121 §4.7.2.3: an integer from -128 to 127 (an xs:byte: ASCII digits, an optional sign). */
    private static Optional<Integer> priority(String text) {
        String digits = text.strip();
        int start = digits.startsWith("-") || digits.startsWith("+") ? 1 : 0;
        if (digits.length() == start) {
            return Optional.empty();
        }
        for (int i = start; i < digits.length(); i++) {
            char c = digits.charAt(i);
            // Integer.parseInt would also take other scripts' digits, which xs:byte does not.
            if (c < '0' || c > '9') {
                return Optional.empty();
            }
        }
        int value;
        try {
            value = Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return Optional.empty(); // more than an int holds
        }
        if (value < XmppPresence.MIN_PRIORITY || value > XmppPresence.MAX_PRIORITY) {
            return Optional.empty();
        }
        return Optional.of(value);
    }

    /** XEP-0203 §2: the stamp is required and in the XEP-0082 DateTime profile; from and reason optional. */
    private static Mapped<Delay> delay(XmlElement delay) {
        Optional<String> stamp = delay.attribute("stamp");
        if (stamp.isEmpty()) {
            return Mapped.rejected(StanzaErrorCondition.BAD_REQUEST, "<delay/> without 'stamp' (XEP-0203 §2)");
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(stamp.get().strip(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return Mapped.rejected(StanzaErrorCondition.BAD_REQUEST,
                    "<delay/> 'stamp' is not an XEP-0082 DateTime (XEP-0203 §2)");
        }
        Optional<Jid> from = Optional.empty();
        Optional<String> fromText = delay.attribute("from");
        if (fromText.isPresent()) {
            Mapped<Jid> parsed = Jid.parse(fromText.get());
            if (!parsed.isOk()) {
                return parsed.map(j -> null);
            }
            from = Optional.of(parsed.orThrow());
        }
        Optional<String> reason = Optional.of(delay.text().strip()).filter(r -> !r.isEmpty());
        return Mapped.ok(new Delay(instant, from, reason));
    }

    private static Mapped<Decoded> badRequest(String text) {
        return Mapped.rejected(StanzaErrorCondition.BAD_REQUEST, text);
    }

    /**
     * The {@code <presence/>} element for an availability presence, in the stream's content namespace:
     * {@code from}, {@code to}, {@code id}, {@code type} (left out for available, RFC 6121 §4.7.1) and
     * {@code xml:lang}; then the show, the statuses (each with its own {@code xml:lang} if it has one),
     * the priority, the XEP-0203 delay, the {@code <e2e/>} object (RFC 3923 §4.1) with the gateway's
     * signature check as a XEP-0131 {@code Authentication-Results} header, and the error (RFC 6121
     * §4.7.2, RFC 6120 §8.3.2). The priority is
     * written only on an available presence and only when it is not 0, the value its absence means
     * (§4.7.2.3; §4.5.1 forbids it on an unavailable one).
     */
    public static XmlElement toElement(XmppPresence presence, String namespace) {
        XmlElement.Builder element = XmlElement.builder(namespace, "presence")
                .attribute("from", presence.from().toString())
                .attribute("to", presence.to().toString())
                .attribute("id", presence.id());
        if (presence.type() == PresenceType.UNAVAILABLE) {
            element.attribute("type", "unavailable");
        } else if (presence.type() == PresenceType.ERROR) {
            element.attribute("type", "error");
        }
        element.attribute(XmlElement.XML_LANG, presence.lang());
        presence.show().ifPresent(s -> element.child(XmlElement.builder(namespace, "show").text(s.wire()).build()));
        for (LocalizedText s : presence.statuses()) {
            element.child(XmlElement.builder(namespace, "status").attribute(XmlElement.XML_LANG, s.lang())
                    .text(s.text()).build());
        }
        if (presence.type() == PresenceType.AVAILABLE && presence.priority() != 0) {
            element.child(XmlElement.builder(namespace, "priority").text(Integer.toString(presence.priority())).build());
        }
        presence.delay().ifPresent(d -> element.child(delayElement(d)));
        presence.e2e().ifPresent(e -> MessageCodec.e2e(element, e));
        presence.error().ifPresent(e -> element.child(StanzaErrors.toElement(e, namespace)));
        return element.build();
    }

    /** XEP-0203 §2; the stamp in UTC as XEP-0082 §3.2 writes it. */
    private static XmlElement delayElement(Delay delay) {
        XmlElement.Builder element = XmlElement.builder(DELAY, "delay")
                .attribute("from", delay.from().map(Jid::toString))
                .attribute("stamp", DateTimeFormatter.ISO_INSTANT.format(delay.stamp()));
        delay.reason().ifPresent(element::text);
        return element.build();
    }

    /**
     * The {@code <presence/>} element for a subscription stanza, in the stream's content namespace:
     * {@code from}, {@code to}, {@code id} and {@code type} (RFC 6121 §3, §4.3), with the error for
     * {@code type='error'} (RFC 6120 §8.3.2). An {@code unavailable} one is bare, as RFC 8048 §5.3.3
     * sends it.
     */
    public static XmlElement toElement(XmppSubscription subscription, String namespace) {
        XmlElement.Builder element = XmlElement.builder(namespace, "presence")
                .attribute("from", subscription.from().toString())
                .attribute("to", subscription.to().toString())
                .attribute("id", subscription.id())
                .attribute("type", subscription.type().wireName());
        subscription.error().ifPresent(e -> element.child(StanzaErrors.toElement(e, namespace)));
        return element.build();
    }
}
