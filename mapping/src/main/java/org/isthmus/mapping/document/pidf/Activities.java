package org.isthmus.mapping.document.pidf;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The RPID {@code <activities>} element of a person (RFC 4480 §3.2): one or more activities, the
 * free-text {@code <other>} values, notes, and the optional validity interval of RFC 4480 §3.1.
 *
 * @param values the enumerated activities, in document order
 * @param others the free-text activities of {@code <other>} elements
 * @param notes  the notes inside the element
 * @param from   when the activities began, if stated
 * @param until  until when they are expected to last, if stated
 * @param id     the element's {@code id} attribute, if any
 */
public record Activities(List<Activity> values, List<String> others, List<Note> notes,
                         Optional<OffsetDateTime> from, Optional<OffsetDateTime> until, Optional<String> id) {
    public Activities {
        values = List.copyOf(values);
        others = List.copyOf(others);
        notes = List.copyOf(notes);
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(id, "id");
    }

    /** Activities without notes, free text or interval. */
    public static Activities of(List<Activity> values) {
        return new Activities(values, List.of(), List.of(), Optional.empty(), Optional.empty(), Optional.empty());
    }
}
