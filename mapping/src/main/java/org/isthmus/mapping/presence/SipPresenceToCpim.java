package org.isthmus.mapping.presence;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.document.pidf.Activity;
import org.isthmus.mapping.document.pidf.Contact;
import org.isthmus.mapping.document.pidf.Device;
import org.isthmus.mapping.document.pidf.Note;
import org.isthmus.mapping.document.pidf.Person;
import org.isthmus.mapping.document.pidf.PresenceDocument;
import org.isthmus.mapping.document.pidf.Tuple;
import org.isthmus.mapping.document.pidf.UserInput;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * From the presence state of a SIP NOTIFY to the neutral presence: RFC 8048 §6.3 (Table 2) and
 * RFC 3922 §5.2, reading the RPID person, device and tuple elements of RFC 4480 as well.
 */
public final class SipPresenceToCpim {

    private SipPresenceToCpim() {
    }

    /**
     * Translates a SIP user's presence for an XMPP watcher. The presentity is taken from From, which the
     * SIP dialog vouches for, not from the PIDF entity. Each tuple with a basic status becomes a neutral
     * tuple named by its id (without the {@code ID-} prefix); one without a basic status says nothing
     * about availability and is left out. The tuple's show comes from the RFC 8048 §6.3 note 3
     * {@code <show/>} extension, else from the RFC 3922 §5.2.10 {@code <im:im>} value; the first person's
     * RPID activities and user input, and the user input of the tuple and of the devices it names
     * (RFC 4480 §3.4, §3.14), are kept for {@link CpimPresenceToXmpp} to choose a show from.
     */
    public static Mapped<CpimPresence> translate(SipPresenceState state, AddressMapper addresses) {
        Mapped<ImUri> from = addresses.fromSip(state.from());
        if (!from.isOk()) {
            return from.map(x -> null);
        }
        if (addresses.isXmppUser(from.orThrow())) {
            return Mapped.rejected(StanzaErrorCondition.FORBIDDEN,
                    "presence from " + state.from() + " claims an XMPP domain this gateway serves");
        }
        Mapped<ImUri> to = addresses.fromSip(state.to());
        if (!to.isOk()) {
            return to.map(x -> null);
        }
        if (!addresses.isXmppUser(to.orThrow())) {
            return Mapped.rejected(StanzaErrorCondition.ITEM_NOT_FOUND,
                    state.to() + " is not a user of an XMPP domain this gateway serves");
        }
        PresenceDocument d = state.document();
        List<CpimTuple> tuples = new ArrayList<>(d.tuples().size());
        for (Tuple t : d.tuples()) {
            if (t.status().basic().isEmpty()) {
                continue;
            }
            String instance = TupleIds.toInstance(t.id());
            if (tuples.stream().anyMatch(x -> x.instance().equals(instance))) {
                continue;
            }
            Optional<Show> show = t.status().xmppShow().flatMap(Show::fromWire)
                    .or(() -> t.status().im().flatMap(ShowActivities::showForImStatus));
            tuples.add(new CpimTuple(instance, t.status().basic().get(), show,
                    t.contact().flatMap(Contact::priority), t.contact().map(Contact::uri), texts(t.notes()),
                    t.timestamp(), isIdle(t, d)));
        }
        Optional<Person> person = d.persons().stream().filter(p -> p.activities().isPresent()).findFirst()
                .or(() -> d.persons().stream().findFirst());
        List<Activity> activities = person.flatMap(Person::activities).map(a -> a.values()).orElse(List.of());
        boolean idle = person.flatMap(Person::userInput).map(UserInput::idle).orElse(false);
        return Mapped.ok(new CpimPresence(from.orThrow().toPres(), to.orThrow(), state.contentLanguage(), tuples,
                texts(d.notes()), activities, idle));
    }

    private static boolean isIdle(Tuple t, PresenceDocument d) {
        if (t.userInput().isPresent()) {
            return t.userInput().get().idle();
        }
        for (Device device : d.devices()) {
            if (device.userInput().map(UserInput::idle).orElse(false)
                    && device.deviceIds().stream().anyMatch(t.deviceIds()::contains)) {
                return true;
            }
        }
        return false;
    }

    private static List<LocalizedText> texts(List<Note> notes) {
        List<LocalizedText> texts = new ArrayList<>(notes.size());
        for (Note n : notes) {
            texts.add(new LocalizedText(n.lang(), n.text()));
        }
        return texts;
    }
}
