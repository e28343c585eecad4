package org.isthmus.mapping.document.pidf;

import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

import org.isthmus.mapping.MappingException;

/**
 * The RPID {@code <user-input>} element (RFC 4480 §3.14): whether a human has used the service, device
 * or person's devices recently.
 *
 * @param idle          true for {@code idle}, false for {@code active}
 * @param idleThreshold seconds without input before the state becomes idle, if stated
 * @param lastInput     when the last input was received, if stated
 * @param id            the element's {@code id} attribute, if any
 */
public record UserInput(boolean idle, OptionalInt idleThreshold, Optional<OffsetDateTime> lastInput,
                        Optional<String> id) {
    public UserInput {
        Objects.requireNonNull(idleThreshold, "idleThreshold");
        Objects.requireNonNull(lastInput, "lastInput");
        Objects.requireNonNull(id, "id");
        if (idleThreshold.isPresent() && idleThreshold.getAsInt() < 0) {
            throw new MappingException("negative idle-threshold");
        }
    }

    /** An {@code idle} or {@code active} indication without details. */
    public static UserInput of(boolean idle) {
        return new UserInput(idle, OptionalInt.empty(), Optional.empty(), Optional.empty());
    }
}
