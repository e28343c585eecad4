package org.isthmus.mapping.document.pidf;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.isthmus.mapping.MappingException;

/**
 * An {@code application/pidf+xml} document (RFC 3863 §4.1.1): the presentity's tuples and notes, the
 * data-model person and device elements (RFC 4479), and extension elements kept opaque.
 *
 * @param entity     the presentity's URI, normally {@code pres:user@host}
 * @param tuples     the tuples (services), their ids distinct (RFC 3863 §4.1.2)
 * @param notes      notes about the presentity
 * @param persons    the {@code dm:person} elements
 * @param devices    the {@code dm:device} elements
 * @param extensions other top-level extension elements, kept opaque
 */
public record PresenceDocument(String entity, List<Tuple> tuples, List<Note> notes, List<Person> persons,
                               List<Device> devices, List<XmlFragment> extensions) {
    public PresenceDocument {
        Objects.requireNonNull(entity, "entity");
        tuples = List.copyOf(tuples);
        notes = List.copyOf(notes);
        persons = List.copyOf(persons);
        devices = List.copyOf(devices);
        extensions = List.copyOf(extensions);
        Set<String> ids = new HashSet<>();
        for (Tuple t : tuples) {
            if (!ids.add(t.id())) {
                throw new MappingException("duplicate tuple id " + t.id() + " (RFC 3863 §4.1.2)");
            }
        }
    }

    /** A document of tuples only. */
    public static PresenceDocument of(String entity, List<Tuple> tuples) {
        return new PresenceDocument(entity, tuples, List.of(), List.of(), List.of(), List.of());
    }

    /** A copy about another presentity. */
    public PresenceDocument withEntity(String newEntity) {
        return new PresenceDocument(newEntity, tuples, notes, persons, devices, extensions);
    }

    /** The tuple with the given id, if any. */
    public Optional<Tuple> tuple(String id) {
        return tuples.stream().filter(t -> t.id().equals(id)).findFirst();
    }
}
