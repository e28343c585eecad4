package org.isthmus.mapping.presence;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.document.pidf.Activities;
import org.isthmus.mapping.document.pidf.Activity;
import org.isthmus.mapping.document.pidf.Basic;
import org.isthmus.mapping.document.pidf.Contact;
import org.isthmus.mapping.document.pidf.Note;
import org.isthmus.mapping.document.pidf.Person;
import org.isthmus.mapping.document.pidf.PresenceDocument;
import org.isthmus.mapping.document.pidf.Status;
import org.isthmus.mapping.document.pidf.Tuple;
import org.isthmus.mapping.document.pidf.UserInput;

/**
 * From the neutral presence to the state a SIP NOTIFY or PUBLISH carries: RFC 8048 §6.2 (Table 1) and
 * RFC 3922 §5.1, written as PIDF (RFC 3863) with the RPID person activities (RFC 4480).
 */
public final class CpimPresenceToSip {

    /** The id of the one {@code dm:person} element written (RFC 4479 §3.3 requires one). */
    static final String PERSON_ID = "p1";

    private CpimPresenceToSip() {
    }

    /**
     * Builds the NOTIFY's state: From is the presentity, To the watcher, Content-Language the presence's
     * language; the PIDF entity is the presentity's {@code pres:} URI (RFC 3922 §5.1.1, RFC 8048 Example 19); each tuple's id
     * is its instance prefixed with {@code ID-} (RFC 8048 §6.2 note 2); open tuples carry their
     * {@code <show xmlns='jabber:client'/>} (note 7). In addition, a {@code dm:person} states the
     * RPID activity of the most available open tuple's show (see {@link ShowActivities}), so that SIP
     * user agents that know RPID but not XMPP's show still see away or busy. The SIP addresses come
     * from {@link AddressMapper#toSipUri}, so a telephone number carries {@code user=phone}.
     */
    public static SipPresenceState translate(CpimPresence presence, AddressMapper addresses) {
        List<Tuple> tuples = new ArrayList<>(presence.tuples().size());
        for (CpimTuple t : presence.tuples()) {
            Status status = new Status(Optional.of(t.basic()),
                    t.basic() == Basic.OPEN ? t.show().map(Show::wire) : Optional.empty(), Optional.empty(), List.of());
            Optional<Contact> contact = t.contact().or(() -> t.priority().map(p -> presence.presentity().toIm().toString()))
                    .map(uri -> new Contact(uri, t.priority()));
            tuples.add(new Tuple(TupleIds.fromInstance(t.instance()), status, List.of(), Optional.empty(),
                    t.idle() ? Optional.of(UserInput.of(true)) : Optional.empty(), List.of(), contact,
                    notes(t.notes()), t.timestamp()));
        }
        List<Activity> activities = presence.activities().isEmpty() ? activitiesOf(presence) : presence.activities();
        List<Person> persons = activities.isEmpty() && !presence.idle() ? List.of()
                : List.of(new Person(PERSON_ID,
                        activities.isEmpty() ? Optional.empty() : Optional.of(Activities.of(activities)),
                        Optional.empty(), Optional.empty(), Optional.empty(),
                        presence.idle() ? Optional.of(UserInput.of(true)) : Optional.empty(),
                        List.of(), List.of(), Optional.empty()));
        PresenceDocument document = new PresenceDocument(presence.presentity().toString(), tuples,
                notes(presence.notes()), persons, List.of(), List.of());
        return new SipPresenceState(addresses.toSipUri(presence.presentity().toIm()),
                addresses.toSipUri(presence.watcher()), presence.lang(),
                document);
    }

    /** The activity of the most available open tuple, if its show has one. */
    private static List<Activity> activitiesOf(CpimPresence presence) {
        CpimTuple best = null;
        for (CpimTuple t : presence.tuples()) {
            if (t.basic() == Basic.OPEN && (best == null
                    || ShowActivities.availability(t.show()) > ShowActivities.availability(best.show()))) {
                best = t;
            }
        }
        if (best == null || best.show().isEmpty()) {
            return List.of();
        }
        return ShowActivities.activityFor(best.show().get()).map(List::of).orElse(List.of());
    }

    private static List<Note> notes(List<LocalizedText> texts) {
        List<Note> notes = new ArrayList<>(texts.size());
        for (LocalizedText t : texts) {
            notes.add(new Note(t.text(), t.lang()));
        }
        return notes;
    }
}
