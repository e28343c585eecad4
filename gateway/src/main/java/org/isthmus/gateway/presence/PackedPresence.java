package org.isthmus.gateway.presence;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.PresUri;
import org.isthmus.mapping.document.pidf.Activity;
import org.isthmus.mapping.document.pidf.Basic;
import org.isthmus.mapping.document.pidf.Qvalue;
import org.isthmus.mapping.presence.CpimPresence;
import org.isthmus.mapping.presence.CpimTuple;
import org.isthmus.mapping.presence.Delay;
import org.isthmus.mapping.presence.PresenceType;
import org.isthmus.mapping.presence.Show;
import org.isthmus.mapping.presence.XmppPresence;

/**
 * The in-memory form of the presence a pair keeps: the XMPP user's for the SIP watcher (RFC 8048 §6.2)
 * and the SIP contact's stanzas for probes (RFC 6121 §4.3.2); one byte array instead of a dozen objects
 * each (issue 7). Decoded on the pair's lane when a NOTIFY or a probe's answer is built from it. Not a
 * wire or storage format.
 */
final class PackedPresence {

    private PackedPresence() {
    }

    /** The bytes of {@code p}. */
    static byte[] pack(CpimPresence p) {
        Bytes.Out out = new Bytes.Out();
        out.string(p.presentity().user());
        out.string(p.presentity().host());
        out.string(p.watcher().user());
        out.string(p.watcher().host());
        out.optional(p.watcher().instance());
        out.optional(p.lang());
        out.varint(p.tuples().size());
        for (CpimTuple t : p.tuples()) {
            out.string(t.instance());
            out.write(t.basic().ordinal());
            out.write(t.show().map(s -> s.ordinal() + 1).orElse(0));
            out.varint(t.priority().map(q -> q.thousandths() + 1L).orElse(0L));
            out.optional(t.contact());
            texts(out, t.notes());
            if (t.timestamp().isPresent()) {
                OffsetDateTime at = t.timestamp().get();
                out.write(1);
                out.zigzag(at.toEpochSecond());
                out.varint(at.getNano());
                out.zigzag(at.getOffset().getTotalSeconds());
            } else {
                out.write(0);
            }
            out.write(t.idle() ? 1 : 0);
        }
        texts(out, p.notes());
        out.varint(p.activities().size());
        for (Activity a : p.activities()) {
            out.varint(a.ordinal());
        }
        out.write(p.idle() ? 1 : 0);
        return out.toArray();
    }

    /** The presence packed as {@code bytes}. */
    static CpimPresence unpack(byte[] bytes) {
        Bytes.In in = new Bytes.In(bytes);
        PresUri presentity = new PresUri(in.string(), in.string());
        ImUri watcher = new ImUri(in.string(), in.string(), in.optional());
        Optional<String> lang = in.optional();
        int n = (int) in.varint();
        List<CpimTuple> tuples = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String instance = in.string();
            Basic basic = Basic.values()[in.read()];
            int show = in.read();
            long priority = in.varint();
            Optional<String> contact = in.optional();
            List<LocalizedText> notes = texts(in);
            Optional<OffsetDateTime> timestamp = Optional.empty();
            if (in.read() == 1) {
                long seconds = in.zigzag();
                long nanos = in.varint();
                ZoneOffset offset = ZoneOffset.ofTotalSeconds((int) in.zigzag());
                timestamp = Optional.of(OffsetDateTime.ofInstant(Instant.ofEpochSecond(seconds, nanos), offset));
            }
            boolean idle = in.read() == 1;
            tuples.add(new CpimTuple(instance, basic, show == 0 ? Optional.empty() : Optional.of(Show.values()[show - 1]),
                    priority == 0 ? Optional.empty() : Optional.of(new Qvalue((int) (priority - 1))), contact, notes,
                    timestamp, idle));
        }
        List<LocalizedText> notes = texts(in);
        int a = (int) in.varint();
        List<Activity> activities = new ArrayList<>(a);
        for (int i = 0; i < a; i++) {
            activities.add(Activity.values()[(int) in.varint()]);
        }
        boolean idle = in.read() == 1;
        return new CpimPresence(presentity, watcher, lang, tuples, notes, activities, idle);
    }

    /**
     * The bytes of {@code stanzas}, or null when one is an error presence or carries an end-to-end
     * secured object (RFC 3923 §4; kept as it is then).
     */
    static byte[] packStanzas(List<XmppPresence> stanzas) {
        Bytes.Out out = new Bytes.Out();
        out.varint(stanzas.size());
        for (XmppPresence p : stanzas) {
            if (p.error().isPresent() || p.e2e().isPresent()) {
                return null;
            }
            jid(out, p.from());
            jid(out, p.to());
            out.optional(p.id());
            out.write(p.type().ordinal());
            out.optional(p.lang());
            out.write(p.show().map(s -> s.ordinal() + 1).orElse(0));
            texts(out, p.statuses());
            out.zigzag(p.priority());
            if (p.delay().isPresent()) {
                Delay d = p.delay().get();
                out.write(1);
                out.zigzag(d.stamp().getEpochSecond());
                out.varint(d.stamp().getNano());
                out.write(d.from().isPresent() ? 1 : 0);
                d.from().ifPresent(j -> jid(out, j));
                out.optional(d.reason());
            } else {
                out.write(0);
            }
        }
        return out.toArray();
    }

    /** The stanzas packed as {@code bytes}. */
    static List<XmppPresence> unpackStanzas(byte[] bytes) {
        Bytes.In in = new Bytes.In(bytes);
        int n = (int) in.varint();
        List<XmppPresence> stanzas = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Jid from = jid(in);
            Jid to = jid(in);
            Optional<String> id = in.optional();
            PresenceType type = PresenceType.values()[in.read()];
            Optional<String> lang = in.optional();
            int show = in.read();
            List<LocalizedText> statuses = texts(in);
            int priority = (int) in.zigzag();
            Optional<Delay> delay = Optional.empty();
            if (in.read() == 1) {
                Instant stamp = Instant.ofEpochSecond(in.zigzag(), in.varint());
                Optional<Jid> by = in.read() == 1 ? Optional.of(jid(in)) : Optional.empty();
                delay = Optional.of(new Delay(stamp, by, in.optional()));
            }
            stanzas.add(new XmppPresence(from, to, id, type, lang,
                    show == 0 ? Optional.empty() : Optional.of(Show.values()[show - 1]), statuses, priority, delay,
                    Optional.empty()));
        }
        return List.copyOf(stanzas);
    }

    /** A JID by its prepared parts (RFC 7622 §3), so that reading it back prepares nothing again. */
    private static void jid(Bytes.Out out, Jid jid) {
        out.optional(jid.local());
        out.string(jid.domain());
        out.optional(jid.resource());
    }

    private static Jid jid(Bytes.In in) {
        Optional<String> local = in.optional();
        String domain = in.string();
        return new Jid(local, domain, in.optional());
    }

    private static void texts(Bytes.Out out, List<LocalizedText> texts) {
        out.varint(texts.size());
        for (LocalizedText t : texts) {
            out.optional(t.lang());
            out.string(t.text());
        }
    }

    private static List<LocalizedText> texts(Bytes.In in) {
        int n = (int) in.varint();
        List<LocalizedText> texts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Optional<String> lang = in.optional();
            texts.add(new LocalizedText(lang, in.string()));
        }
        return texts;
    }
}
