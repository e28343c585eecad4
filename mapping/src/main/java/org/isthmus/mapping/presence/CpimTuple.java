package org.isthmus.mapping.presence;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.document.pidf.Basic;
import org.isthmus.mapping.document.pidf.Qvalue;

/**
 * One presence tuple of the neutral model (RFC 3859 §3.2, RFC 3922 §5): the state of one endpoint of the
 * presentity, an XMPP resource or a SIP tuple.
 *
 * @param instance  the endpoint's name: the XMPP resource, or the SIP tuple id without the RFC 8048 §6.2
 *                  note 2 {@code ID-} prefix; empty for a presentity without one
 * @param basic     open (available) or closed (unavailable), RFC 3922 §5.1.4 and §5.2.9
 * @param show      the availability sub-state stated for this endpoint, if any (RFC 8048 §6.2 note 7)
 * @param priority  the endpoint's priority on the PIDF scale (RFC 3922 §5.1.7), if stated
 * @param contact   the contact address, if stated (RFC 3863 §4.1.5)
 * @param notes     the notes about this endpoint (XMPP {@code <status/>})
 * @param timestamp when this state began (RFC 3863 §4.1.7, XEP-0203), if stated
 * @param idle      true when the endpoint reports no recent user input (RFC 4480 §3.14)
 */
public record CpimTuple(String instance, Basic basic, Optional<Show> show, Optional<Qvalue> priority,
                        Optional<String> contact, List<LocalizedText> notes, Optional<OffsetDateTime> timestamp,
                        boolean idle) {
    public CpimTuple {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(basic, "basic");
        Objects.requireNonNull(show, "show");
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(contact, "contact");
        notes = List.copyOf(notes);
        Objects.requireNonNull(timestamp, "timestamp");
    }
}
