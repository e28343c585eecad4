package org.isthmus.mapping.document.pidf;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.isthmus.mapping.MappingException;

/**
 * The RPID {@code <mood>} element of a person (RFC 4480 §3.5).
 *
 * @param values the mood names (the local names of RFC 4480 §3.5, e.g. {@code happy}), in document order
 * @param others the free-text moods of {@code <other>} elements
 * @param notes  the notes inside the element
 * @param from   when the mood began, if stated
 * @param until  until when it is expected to last, if stated
 * @param id     the element's {@code id} attribute, if any
 */
public record Mood(List<String> values, List<String> others, List<Note> notes,
                   Optional<OffsetDateTime> from, Optional<OffsetDateTime> until, Optional<String> id) {

    /** The mood values of RFC 4480 §3.5 (taken from XEP-0107), except {@code other}. */
    public static final Set<String> VALUES = Set.of("afraid", "amazed", "angry", "annoyed", "anxious",
            "ashamed", "bored", "brave", "calm", "cold", "confused", "contented", "cranky", "curious",
            "depressed", "disappointed", "disgusted", "distracted", "embarrassed", "excited", "flirtatious",
            "frustrated", "grumpy", "guilty", "happy", "hot", "humbled", "humiliated", "hungry", "hurt",
            "impressed", "in_awe", "in_love", "indignant", "interested", "invincible", "jealous", "lonely",
            "mean", "moody", "nervous", "neutral", "offended", "playful", "proud", "relieved", "remorseful",
            "restless", "sad", "sarcastic", "serious", "shocked", "shy", "sick", "sleepy", "stressed",
            "surprised", "thirsty", "unknown", "worried");

    public Mood {
        values = List.copyOf(values);
        others = List.copyOf(others);
        notes = List.copyOf(notes);
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(id, "id");
        for (String v : values) {
            if (!VALUES.contains(v)) {
                throw new MappingException("not an RFC 4480 §3.5 mood: " + v);
            }
        }
    }
}
