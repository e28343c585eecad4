package org.isthmus.mapping.document.pidf;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The RPID {@code <place-is>} element of a person (RFC 4480 §3.6): how suitable the place is for
 * audio, video and text, each as the local name of its value element (e.g. {@code noisy}, {@code dark},
 * {@code inappropriate}, {@code ok}, {@code unknown}).
 *
 * @param audio the audio property, if stated
 * @param video the video property, if stated
 * @param text  the text property, if stated
 * @param notes the notes inside the element
 * @param from  when the property began, if stated
 * @param until until when it is expected to last, if stated
 * @param id    the element's {@code id} attribute, if any
 */
public record PlaceIs(Optional<String> audio, Optional<String> video, Optional<String> text, List<Note> notes,
                      Optional<OffsetDateTime> from, Optional<OffsetDateTime> until, Optional<String> id) {
    public PlaceIs {
        Objects.requireNonNull(audio, "audio");
        Objects.requireNonNull(video, "video");
        Objects.requireNonNull(text, "text");
        notes = List.copyOf(notes);
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(id, "id");
    }
}
