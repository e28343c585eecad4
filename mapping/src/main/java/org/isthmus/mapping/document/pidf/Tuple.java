package org.isthmus.mapping.document.pidf;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.MappingException;

/**
 * A presence tuple (RFC 3863 §4.1.2), which the data model of RFC 4479 calls a service, with the RPID
 * elements that may extend it (RFC 4480 §3.1 Table 1).
 *
 * @param id         the tuple's id, unique in its document
 * @param status     the status values
 * @param deviceIds  the {@code dm:deviceID} references to devices providing the service (RFC 4480 §3.4)
 * @param rpidClass  the {@code rpid:class} label (RFC 4480 §3.3), if any
 * @param userInput  the {@code rpid:user-input} of the service (RFC 4480 §3.14), if any
 * @param extensions other extension elements, kept opaque (e.g. {@code rpid:relationship})
 * @param contact    the contact address, if any
 * @param notes      the notes about this tuple
 * @param timestamp  the time of the last status change (RFC 3863 §4.1.7), if stated
 */
public record Tuple(String id, Status status, List<String> deviceIds, Optional<String> rpidClass,
                    Optional<UserInput> userInput, List<XmlFragment> extensions, Optional<Contact> contact,
                    List<Note> notes, Optional<OffsetDateTime> timestamp) {
    public Tuple {
        Objects.requireNonNull(id, "id");
        if (id.isEmpty()) {
            throw new MappingException("empty tuple id");
        }
        Objects.requireNonNull(status, "status");
        deviceIds = List.copyOf(deviceIds);
        Objects.requireNonNull(rpidClass, "rpidClass");
        Objects.requireNonNull(userInput, "userInput");
        extensions = List.copyOf(extensions);
        Objects.requireNonNull(contact, "contact");
        notes = List.copyOf(notes);
        Objects.requireNonNull(timestamp, "timestamp");
    }

    /** A tuple of a status, contact, notes and timestamp only: the PIDF core of RFC 3863. */
    public static Tuple of(String id, Status status, Optional<Contact> contact, List<Note> notes,
                           Optional<OffsetDateTime> timestamp) {
        return new Tuple(id, status, List.of(), Optional.empty(), Optional.empty(), List.of(), contact, notes,
                timestamp);
    }
}
