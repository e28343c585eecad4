package org.isthmus.mapping.presence;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.message.E2ePayload;

/**
 * An XMPP {@code <presence/>} stanza that notifies availability (RFC 6121 §4.7), as the gateway sees it:
 * the parts RFC 8048 §6 maps, the XEP-0203 delay, and the error of a {@code type='error'} presence.
 * A record with a type rather than a sealed family, as for messages: the kinds share every field, and
 * the invariants between them are checked here.
 *
 * @param from     the sender; for notifications from an XMPP client, a full JID (one resource)
 * @param to       the recipient
 * @param id       the stanza id, if any
 * @param type     available, unavailable or error
 * @param lang     the stanza's {@code xml:lang}, if any
 * @param show     the availability sub-state; only on an available presence (RFC 6121 §4.7.2.1)
 * @param statuses the {@code <status/>} texts, at most one per language (RFC 6121 §4.7.2.2)
 * @param priority the resource priority, -128 to 127; 0 when the stanza has none (RFC 6121 §4.7.2.3)
 * @param delay    the XEP-0203 delayed-delivery stamp, if any
 * @param error    the error, present exactly when {@code type} is {@link PresenceType#ERROR}
 * @param e2e      the end-to-end secured PIDF object the presence carries, if any (RFC 3923 §4.1): the
 *                 presence the gateway relays untouched, in place of one it maps
 */
public record XmppPresence(Jid from, Jid to, Optional<String> id, PresenceType type, Optional<String> lang,
                           Optional<Show> show, List<LocalizedText> statuses, int priority, Optional<Delay> delay,
                           Optional<StanzaError> error, Optional<E2ePayload> e2e) {

    /** RFC 6121 §4.7.2.3: priority is an 8-bit signed integer. */
    public static final int MIN_PRIORITY = -128;
    /** RFC 6121 §4.7.2.3. */
    public static final int MAX_PRIORITY = 127;

    public XmppPresence {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(lang, "lang");
        Objects.requireNonNull(show, "show");
        statuses = List.copyOf(statuses);
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(e2e, "e2e");
        if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
            throw new MappingException("priority " + priority + " is outside -128..127 (RFC 6121 §4.7.2.3)");
        }
        if (show.isPresent() && type != PresenceType.AVAILABLE) {
            throw new MappingException("only an available presence has a <show/> (RFC 6121 §4.7.2.1)");
        }
        if ((type == PresenceType.ERROR) != error.isPresent()) {
            throw new MappingException("an error presence carries an error, and only it");
        }
        Set<Optional<String>> langs = new HashSet<>();
        for (LocalizedText s : statuses) {
            if (!langs.add(s.lang())) {
                throw new MappingException("two <status/> elements with the same xml:lang (RFC 6121 §4.7.2.2)");
            }
        }
    }

    /** A presence without an end-to-end secured object. */
    public XmppPresence(Jid from, Jid to, Optional<String> id, PresenceType type, Optional<String> lang,
                        Optional<Show> show, List<LocalizedText> statuses, int priority, Optional<Delay> delay,
                        Optional<StanzaError> error) {
        this(from, to, id, type, lang, show, statuses, priority, delay, error, Optional.empty());
    }

    /** An available presence with nothing but its addresses. */
    public static XmppPresence available(Jid from, Jid to) {
        return new XmppPresence(from, to, Optional.empty(), PresenceType.AVAILABLE, Optional.empty(), Optional.empty(),
                List.of(), 0, Optional.empty(), Optional.empty());
    }

    /** An unavailable presence with nothing but its addresses. */
    public static XmppPresence unavailable(Jid from, Jid to) {
        return new XmppPresence(from, to, Optional.empty(), PresenceType.UNAVAILABLE, Optional.empty(),
                Optional.empty(), List.of(), 0, Optional.empty(), Optional.empty());
    }

    /** A copy with the given show. */
    public XmppPresence withShow(Show newShow) {
        return new XmppPresence(from, to, id, type, lang, Optional.of(newShow), statuses, priority, delay, error, e2e);
    }

    /** A copy with the given status texts. */
    public XmppPresence withStatuses(List<LocalizedText> newStatuses) {
        return new XmppPresence(from, to, id, type, lang, show, newStatuses, priority, delay, error, e2e);
    }

    /** A copy with the given priority. */
    public XmppPresence withPriority(int newPriority) {
        return new XmppPresence(from, to, id, type, lang, show, statuses, newPriority, delay, error, e2e);
    }

    /** A copy with the given delay stamp. */
    public XmppPresence withDelay(Delay newDelay) {
        return new XmppPresence(from, to, id, type, lang, show, statuses, priority, Optional.of(newDelay), error, e2e);
    }

    /** A copy with the given stanza language. */
    public XmppPresence withLang(String newLang) {
        return new XmppPresence(from, to, id, type, Optional.of(newLang), show, statuses, priority, delay, error, e2e);
    }

    /** A copy carrying the given end-to-end secured object (RFC 3923 §4.1). */
    public XmppPresence withE2e(E2ePayload payload) {
        return new XmppPresence(from, to, id, type, lang, show, statuses, priority, delay, error, Optional.of(payload));
    }

    /**
     * The error reply to this presence (RFC 6120 §8.2): addresses swapped, the same id, and the original
     * {@code <e2e/>} object, so the sender can tell which presence failed (RFC 3923 §7).
     */
    public XmppPresence errorReply(StanzaError stanzaError) {
        return new XmppPresence(to, from, id, PresenceType.ERROR, lang, Optional.empty(), List.of(), 0,
                Optional.empty(), Optional.of(stanzaError), e2e);
    }

    /** A copy with the given stanza id. */
    public XmppPresence withId(String newId) {
        return new XmppPresence(from, to, Optional.of(newId), type, lang, show, statuses, priority, delay, error, e2e);
    }
}
