package org.isthmus.mapping.presence;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.PresUri;
import org.isthmus.mapping.document.pidf.Activity;
import org.isthmus.mapping.document.pidf.Basic;

/**
 * The neutral presence notification of CPIM (RFC 3859 §3, RFC 3922 §5): what a presentity tells one
 * watcher, as tuples (one per endpoint) and the person-level information of RPID (RFC 4480 §3.2, §3.14).
 *
 * @param presentity the presentity (RFC 3859 §3), the PIDF entity (RFC 3922 §5.1.1)
 * @param watcher    the watcher; its instance, if any, names the endpoint that receives the notification
 * @param lang       the language of the texts that declare none (XMPP xml:lang, SIP Content-Language)
 * @param tuples     the endpoints' states, their instances distinct
 * @param notes      notes about the presentity as a whole (RFC 3863 §4.1.6)
 * @param activities what the person is doing (RFC 4480 §3.2), if known
 * @param idle       true when the person reports no recent user input on any device (RFC 4480 §3.14)
 */
public record CpimPresence(PresUri presentity, ImUri watcher, Optional<String> lang, List<CpimTuple> tuples,
                           List<LocalizedText> notes, List<Activity> activities, boolean idle) {
    public CpimPresence {
        Objects.requireNonNull(presentity, "presentity");
        Objects.requireNonNull(watcher, "watcher");
        Objects.requireNonNull(lang, "lang");
        tuples = List.copyOf(tuples);
        notes = List.copyOf(notes);
        activities = List.copyOf(activities);
        Set<String> instances = new HashSet<>();
        for (CpimTuple t : tuples) {
            if (!instances.add(t.instance())) {
                throw new MappingException("two tuples for the instance '" + t.instance() + "'");
            }
        }
    }

    /**
     * This presence updated by a later notification from the same presentity: the update's tuples replace
     * those of the same instance and are added otherwise; the rest comes from the update. This is how
     * several XMPP resources, each sending its own presence, become one PIDF document with one tuple per
     * resource (RFC 8048 §6.2, last paragraph). A closed tuple the update does not name is left out: the
     * notification that closed it has told the watcher, and a resource that went offline would otherwise
     * stay in every later document (and a new one appear at each login with a fresh resourcepart).
     */
    public CpimPresence withTuplesFrom(CpimPresence update) {
        List<CpimTuple> merged = new ArrayList<>(tuples.size() + update.tuples.size());
        for (CpimTuple t : tuples) {
            Optional<CpimTuple> updated = update.tuple(t.instance());
            if (updated.isPresent()) {
                merged.add(updated.get());
            } else if (t.basic() == Basic.OPEN) {
                merged.add(t);
            }
        }
        for (CpimTuple t : update.tuples) {
            if (tuple(t.instance()).isEmpty()) {
                merged.add(t);
            }
        }
        return new CpimPresence(update.presentity, update.watcher, update.lang, merged, update.notes,
                update.activities, update.idle);
    }

    /** The tuple of the given instance, if any. */
    public Optional<CpimTuple> tuple(String instance) {
        return tuples.stream().filter(t -> t.instance().equals(instance)).findFirst();
    }
}
