package org.isthmus.mapping.document.pidf;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.MappingException;

/**
 * The {@code dm:person} element (RFC 4479 §3.3, written as in RFC 4480 §4) with the RPID elements a
 * person carries (RFC 4480 §3.1 Table 1). Person elements this package does not interpret, such as
 * {@code rpid:place-type}, {@code rpid:privacy}, {@code rpid:sphere}, {@code rpid:status-icon} and
 * {@code rpid:time-offset}, are kept opaque in {@code extensions}.
 *
 * @param id         the person's id
 * @param activities what the person is doing (RFC 4480 §3.2), if stated
 * @param rpidClass  the {@code rpid:class} label (RFC 4480 §3.3), if any
 * @param mood       the person's mood (RFC 4480 §3.5), if stated
 * @param placeIs    the properties of the person's place (RFC 4480 §3.6), if stated
 * @param userInput  the user input across all the person's devices (RFC 4480 §3.14), if stated
 * @param extensions other elements, kept opaque
 * @param notes      the {@code dm:note} elements
 * @param timestamp  the {@code dm:timestamp}, if stated
 */
public record Person(String id, Optional<Activities> activities, Optional<String> rpidClass, Optional<Mood> mood,
                     Optional<PlaceIs> placeIs, Optional<UserInput> userInput, List<XmlFragment> extensions,
                     List<Note> notes, Optional<OffsetDateTime> timestamp) {
    public Person {
        Objects.requireNonNull(id, "id");
        if (id.isEmpty()) {
            throw new MappingException("empty person id");
        }
        Objects.requireNonNull(activities, "activities");
        Objects.requireNonNull(rpidClass, "rpidClass");
        Objects.requireNonNull(mood, "mood");
        Objects.requireNonNull(placeIs, "placeIs");
        Objects.requireNonNull(userInput, "userInput");
        extensions = List.copyOf(extensions);
        notes = List.copyOf(notes);
        Objects.requireNonNull(timestamp, "timestamp");
    }

    /** A person element that states only activities. */
    public static Person of(String id, Activities activities) {
        return new Person(id, Optional.of(activities), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), List.of(), List.of(), Optional.empty());
    }
}
