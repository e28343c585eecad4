package org.isthmus.mapping.document.pidf;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.MappingException;

/**
 * The {@code dm:device} element (RFC 4479 §3.4, written as in RFC 4480 §4) with the RPID elements a
 * device carries (RFC 4480 §3.1 Table 1).
 *
 * @param id         the device element's id
 * @param deviceIds  its {@code dm:deviceID} values, e.g. {@code urn:device:0003ba4811e3}
 * @param rpidClass  the {@code rpid:class} label, if any
 * @param userInput  the {@code rpid:user-input} of the device, if stated
 * @param extensions other elements, kept opaque
 * @param notes      the {@code dm:note} elements
 * @param timestamp  the {@code dm:timestamp}, if stated
 */
public record Device(String id, List<String> deviceIds, Optional<String> rpidClass, Optional<UserInput> userInput,
                     List<XmlFragment> extensions, List<Note> notes, Optional<OffsetDateTime> timestamp) {
    public Device {
        Objects.requireNonNull(id, "id");
        if (id.isEmpty()) {
            throw new MappingException("empty device id");
        }
        deviceIds = List.copyOf(deviceIds);
        Objects.requireNonNull(rpidClass, "rpidClass");
        Objects.requireNonNull(userInput, "userInput");
        extensions = List.copyOf(extensions);
        notes = List.copyOf(notes);
        Objects.requireNonNull(timestamp, "timestamp");
    }
}
