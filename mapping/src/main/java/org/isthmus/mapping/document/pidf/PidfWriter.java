package org.isthmus.mapping.document.pidf;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * Writes a {@link PresenceDocument} as an {@code application/pidf+xml} body (RFC 3863) in UTF-8: PIDF
 * as the default namespace, the data model (RFC 4479) as {@code dm} and RPID (RFC 4480) as
 * {@code rpid}, declared on the root only when used; elements in the order of the RFC 3863 §4.4 schema;
 * opaque extensions written back as they were read, each declaring the namespaces it uses.
 */
public final class PidfWriter {

    private PidfWriter() {
    }

    /** The document as UTF-8 bytes, with an XML declaration. */
    public static byte[] write(PresenceDocument document) {
        return toXml(document).getBytes(StandardCharsets.UTF_8);
    }

    /** The document as XML text, with an XML declaration naming UTF-8. */
    public static String toXml(PresenceDocument d) {
        StringBuilder out = new StringBuilder(512);
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<presence xmlns=\"").append(Namespaces.PIDF).append('"');
        boolean rpid = usesRpid(d);
        if (!d.persons().isEmpty() || !d.devices().isEmpty() || d.tuples().stream().anyMatch(t -> !t.deviceIds().isEmpty())) {
            out.append(" xmlns:dm=\"").append(Namespaces.DATA_MODEL).append('"');
        }
        if (rpid) {
            out.append(" xmlns:rpid=\"").append(Namespaces.RPID).append('"');
        }
        out.append(" entity=\"");
        XmlText.appendAttribute(out, d.entity());
        out.append("\">");
        for (Tuple t : d.tuples()) {
            tuple(out, t);
        }
        notes(out, "note", d.notes());
        for (Person p : d.persons()) {
            person(out, p);
        }
        for (Device v : d.devices()) {
            device(out, v);
        }
        fragments(out, d.extensions());
        out.append("</presence>");
        return out.toString();
    }

    private static boolean usesRpid(PresenceDocument d) {
        for (Tuple t : d.tuples()) {
            if (t.rpidClass().isPresent() || t.userInput().isPresent()) {
                return true;
            }
        }
        for (Person p : d.persons()) {
            if (p.activities().isPresent() || p.rpidClass().isPresent() || p.mood().isPresent()
                    || p.placeIs().isPresent() || p.userInput().isPresent()) {
                return true;
            }
        }
        for (Device v : d.devices()) {
            if (v.rpidClass().isPresent() || v.userInput().isPresent()) {
                return true;
            }
        }
        return false;
    }

    /** RFC 3863 §4.4: status, extensions, contact, notes, timestamp. */
    private static void tuple(StringBuilder out, Tuple t) {
        out.append("<tuple id=\"");
        XmlText.appendAttribute(out, t.id());
        out.append("\"><status>");
        Status s = t.status();
        s.basic().ifPresent(b -> out.append("<basic>").append(b.wire()).append("</basic>"));
        s.xmppShow().ifPresent(v -> textElement(out, "show xmlns=\"" + Namespaces.JABBER_CLIENT + "\"", "show", v));
        s.im().ifPresent(v -> textElement(out, "im:im xmlns:im=\"" + Namespaces.PIDF_IM + "\"", "im:im", v));
        fragments(out, s.extensions());
        out.append("</status>");
        for (String id : t.deviceIds()) {
            textElement(out, "dm:deviceID", "dm:deviceID", id);
        }
        t.rpidClass().ifPresent(c -> textElement(out, "rpid:class", "rpid:class", c));
        t.userInput().ifPresent(u -> userInput(out, u));
        fragments(out, t.extensions());
        t.contact().ifPresent(c -> {
            out.append("<contact");
            c.priority().ifPresent(p -> out.append(" priority=\"").append(p).append('"'));
            out.append('>');
            XmlText.appendText(out, c.uri());
            out.append("</contact>");
        });
        notes(out, "note", t.notes());
        t.timestamp().ifPresent(ts -> textElement(out, "timestamp", "timestamp", dateTime(ts)));
        out.append("</tuple>");
    }

    private static void person(StringBuilder out, Person p) {
        out.append("<dm:person id=\"");
        XmlText.appendAttribute(out, p.id());
        out.append("\">");
        p.activities().ifPresent(a -> {
            open(out, "rpid:activities", a.from(), a.until(), a.id());
            notes(out, "rpid:note", a.notes());
            for (Activity v : a.values()) {
                out.append("<rpid:").append(v.wire()).append("/>");
            }
            for (String o : a.others()) {
                textElement(out, "rpid:other", "rpid:other", o);
            }
            out.append("</rpid:activities>");
        });
        p.rpidClass().ifPresent(c -> textElement(out, "rpid:class", "rpid:class", c));
        p.mood().ifPresent(m -> {
            open(out, "rpid:mood", m.from(), m.until(), m.id());
            notes(out, "rpid:note", m.notes());
            for (String v : m.values()) {
                out.append("<rpid:").append(v).append("/>");
            }
            for (String o : m.others()) {
                textElement(out, "rpid:other", "rpid:other", o);
            }
            out.append("</rpid:mood>");
        });
        p.placeIs().ifPresent(pl -> {
            open(out, "rpid:place-is", pl.from(), pl.until(), pl.id());
            notes(out, "rpid:note", pl.notes());
            pl.audio().ifPresent(v -> out.append("<rpid:audio><rpid:").append(v).append("/></rpid:audio>"));
            pl.video().ifPresent(v -> out.append("<rpid:video><rpid:").append(v).append("/></rpid:video>"));
            pl.text().ifPresent(v -> out.append("<rpid:text><rpid:").append(v).append("/></rpid:text>"));
            out.append("</rpid:place-is>");
        });
        p.userInput().ifPresent(u -> userInput(out, u));
        fragments(out, p.extensions());
        notes(out, "dm:note", p.notes());
        p.timestamp().ifPresent(ts -> textElement(out, "dm:timestamp", "dm:timestamp", dateTime(ts)));
        out.append("</dm:person>");
    }

    private static void device(StringBuilder out, Device v) {
        out.append("<dm:device id=\"");
        XmlText.appendAttribute(out, v.id());
        out.append("\">");
        v.rpidClass().ifPresent(c -> textElement(out, "rpid:class", "rpid:class", c));
        v.userInput().ifPresent(u -> userInput(out, u));
        fragments(out, v.extensions());
        for (String id : v.deviceIds()) {
            textElement(out, "dm:deviceID", "dm:deviceID", id);
        }
        notes(out, "dm:note", v.notes());
        v.timestamp().ifPresent(ts -> textElement(out, "dm:timestamp", "dm:timestamp", dateTime(ts)));
        out.append("</dm:device>");
    }

    private static void userInput(StringBuilder out, UserInput u) {
        out.append("<rpid:user-input");
        u.idleThreshold().ifPresent(t -> out.append(" idle-threshold=\"").append(t).append('"'));
        u.lastInput().ifPresent(t -> out.append(" last-input=\"").append(dateTime(t)).append('"'));
        u.id().ifPresent(id -> attribute(out, "id", id));
        out.append('>').append(u.idle() ? "idle" : "active").append("</rpid:user-input>");
    }

    private static void open(StringBuilder out, String name, Optional<OffsetDateTime> from,
                             Optional<OffsetDateTime> until, Optional<String> id) {
        out.append('<').append(name);
        from.ifPresent(t -> out.append(" from=\"").append(dateTime(t)).append('"'));
        until.ifPresent(t -> out.append(" until=\"").append(dateTime(t)).append('"'));
        id.ifPresent(v -> attribute(out, "id", v));
        out.append('>');
    }

    private static void attribute(StringBuilder out, String name, String value) {
        out.append(' ').append(name).append("=\"");
        XmlText.appendAttribute(out, value);
        out.append('"');
    }

    private static void notes(StringBuilder out, String name, List<Note> notes) {
        for (Note n : notes) {
            out.append('<').append(name);
            n.lang().ifPresent(l -> attribute(out, "xml:lang", l));
            out.append('>');
            XmlText.appendText(out, n.text());
            out.append("</").append(name).append('>');
        }
    }

    private static void textElement(StringBuilder out, String start, String end, String text) {
        out.append('<').append(start).append('>');
        XmlText.appendText(out, text);
        out.append("</").append(end).append('>');
    }

    private static void fragments(StringBuilder out, List<XmlFragment> fragments) {
        for (XmlFragment f : fragments) {
            out.append(f.xml());
        }
    }

    /** RFC 3339 with the upper-case 'T' and 'Z' RFC 3863 §4.1.7 requires. */
    private static String dateTime(OffsetDateTime t) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t);
    }
}
