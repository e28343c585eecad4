package org.isthmus.gateway.presence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.subscription.AuthorizationState;
import org.isthmus.mapping.subscription.MirrorState;
import org.isthmus.mapping.subscription.NotifierDialog;
import org.isthmus.mapping.subscription.SubscriberDialog;
import org.isthmus.sip.presence.SubscriptionDialog;

/**
 * The in-memory form of an idle pair's {@link MirrorRecord} (issue 7: 1,000,000 mirrored subscriptions
 * within 1 GB): one byte array instead of some forty objects. Addresses are kept once per record (a
 * dialog's local and remote URIs are nearly always the record's own user and contact URIs, and the user's
 * SIP URI is nearly always the one its JID gives), hosts, domains, event names and the owner are numbers
 * into a table shared by all pairs, and numbers are varints. The mirror decodes a pair on its lane when
 * an event touches it; the stored form stays {@link MirrorRecordCodec}'s text.
 *
 * <p>Not a wire or storage format: it lives as long as the process and may change in any release.
 */
final class PackedRecords {

    /** Shared strings at most; past it, a string is written out in each record that has it. */
    static final int MAX_SHARED = 4096;

    private static final int MAX_SHARED_LENGTH = 255;

    private static final byte URI_INLINE = 0;
    private static final byte URI_USER = 1;
    private static final byte URI_CONTACT = 2;
    private static final byte URI_FROM_JID = 3;

    private final Map<String, Integer> sharedIds = new ConcurrentHashMap<>();
    /** Grown under this object's lock; a reader sees every index a record it read refers to. */
    private volatile String[] shared = new String[16];
    private int sharedCount;

    /** The bytes of {@code r}. */
    byte[] pack(MirrorRecord r) {
        Bytes.Out out = new Bytes.Out();
        jid(out, r.user());
        jid(out, r.contactJid());
        SipUri fromJid = fromJid(r.user());
        if (r.userUri().equals(fromJid)) {
            out.write(URI_FROM_JID);
        } else {
            out.write(URI_INLINE);
            uri(out, r.userUri());
        }
        uri(out, r.contactUri());
        MirrorState s = r.state();
        out.write(s.outbound().ordinal());
        out.write(s.subscriber().ordinal());
        out.write(s.inbound().ordinal());
        out.write(s.notifier().ordinal());
        out.varint(r.generation());
        int flags = (r.subscriber().isPresent() ? 1 : 0) | (r.notifier().isPresent() ? 2 : 0);
        for (MirrorTimer t : MirrorTimer.values()) {
            if (r.due(t).isPresent()) {
                flags |= 4 << t.ordinal();
            }
        }
        out.varint(flags);
        if (r.subscriber().isPresent()) {
            dialog(out, r.subscriber().get(), r);
        }
        if (r.notifier().isPresent()) {
            dialog(out, r.notifier().get(), r);
        }
        for (MirrorTimer t : MirrorTimer.values()) {
            if (r.due(t).isPresent()) {
                instant(out, r.due(t).get());
            }
        }
        sharedString(out, r.owner());
        return out.toArray();
    }

    /** The record packed as {@code bytes}. */
    MirrorRecord unpack(byte[] bytes) {
        Bytes.In in = new Bytes.In(bytes);
        Jid user = jid(in);
        Jid contactJid = jid(in);
        SipUri userUri = in.read() == URI_FROM_JID ? fromJid(user) : uri(in);
        SipUri contactUri = uri(in);
        MirrorState state = new MirrorState(AuthorizationState.values()[in.read()],
                SubscriberDialog.values()[in.read()], AuthorizationState.values()[in.read()],
                NotifierDialog.values()[in.read()]);
        long generation = in.varint();
        int flags = (int) in.varint();
        Optional<SubscriptionDialog> subscriber = (flags & 1) != 0
                ? Optional.of(dialog(in, SubscriptionDialog.Role.SUBSCRIBER, userUri, contactUri)) : Optional.empty();
        Optional<SubscriptionDialog> notifier = (flags & 2) != 0
                ? Optional.of(dialog(in, SubscriptionDialog.Role.NOTIFIER, userUri, contactUri)) : Optional.empty();
        List<Optional<Instant>> due = new ArrayList<>(MirrorTimer.values().length);
        for (MirrorTimer t : MirrorTimer.values()) {
            due.add((flags & (4 << t.ordinal())) != 0 ? Optional.of(instant(in)) : Optional.empty());
        }
        String owner = sharedString(in);
        return new MirrorRecord(user, contactJid, userUri, contactUri, state, generation, subscriber, notifier,
                due.get(0), due.get(1), due.get(2), due.get(3), owner);
    }

    /** The strings shared between records so far; for tests. */
    int sharedCount() {
        synchronized (this) {
            return sharedCount;
        }
    }

    // ---- Parts -------------------------------------------------------------------------------------

    private static SipUri fromJid(Jid user) {
        return user.local().isPresent()
                ? new SipUri(false, user.local(), user.domain(), OptionalInt.empty(), Map.of()) : null;
    }

    private void jid(Bytes.Out out, Jid jid) {
        // A pair's JIDs are bare (MirrorRecord's invariant).
        out.optional(jid.local());
        sharedString(out, jid.domain());
    }

    private Jid jid(Bytes.In in) {
        Optional<String> local = in.optional();
        return new Jid(local, sharedString(in), Optional.empty());
    }

    private void uri(Bytes.Out out, SipUri uri) {
        int flags = (uri.secure() ? 1 : 0) | (uri.user().isPresent() ? 2 : 0) | (uri.port().isPresent() ? 4 : 0)
                | (uri.parameters().isEmpty() ? 0 : 8);
        out.write(flags);
        if (uri.user().isPresent()) {
            out.string(uri.user().get());
        }
        sharedString(out, uri.host());
        if (uri.port().isPresent()) {
            out.varint(uri.port().getAsInt());
        }
        if (!uri.parameters().isEmpty()) {
            out.varint(uri.parameters().size());
            for (Map.Entry<String, String> p : uri.parameters().entrySet()) {
                sharedString(out, p.getKey());
                out.string(p.getValue());
            }
        }
    }

    private SipUri uri(Bytes.In in) {
        int flags = in.read();
        Optional<String> user = (flags & 2) != 0 ? Optional.of(in.string()) : Optional.empty();
        String host = sharedString(in);
        OptionalInt port = (flags & 4) != 0 ? OptionalInt.of((int) in.varint()) : OptionalInt.empty();
        Map<String, String> parameters = Map.of();
        if ((flags & 8) != 0) {
            int n = (int) in.varint();
            parameters = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                parameters.put(sharedString(in), in.string());
            }
        }
        return new SipUri((flags & 1) != 0, user, host, port, parameters);
    }

    private void pairUri(Bytes.Out out, SipUri uri, MirrorRecord r) {
        if (uri.equals(r.userUri())) {
            out.write(URI_USER);
        } else if (uri.equals(r.contactUri())) {
            out.write(URI_CONTACT);
        } else {
            out.write(URI_INLINE);
            uri(out, uri);
        }
    }

    private SipUri pairUri(Bytes.In in, SipUri userUri, SipUri contactUri) {
        return switch (in.read()) {
            case URI_USER -> userUri;
            case URI_CONTACT -> contactUri;
            default -> uri(in);
        };
    }

    private void dialog(Bytes.Out out, SubscriptionDialog d, MirrorRecord r) {
        out.write(d.secure() ? 1 : 0);
        out.string(d.callId());
        out.string(d.localTag());
        out.string(d.remoteTag());
        pairUri(out, d.localUri(), r);
        pairUri(out, d.remoteUri(), r);
        pairUri(out, d.remoteTarget(), r);
        out.varint(d.routeSet().size());
        for (SipUri route : d.routeSet()) {
            uri(out, route);
        }
        out.varint(d.localCseq());
        out.varint(d.remoteCseq());
        sharedString(out, d.event());
        out.optional(d.eventId());
        instant(out, d.expiresAt());
    }

    private SubscriptionDialog dialog(Bytes.In in, SubscriptionDialog.Role role, SipUri userUri, SipUri contactUri) {
        boolean secure = in.read() == 1;
        String callId = in.string();
        String localTag = in.string();
        String remoteTag = in.string();
        SipUri localUri = pairUri(in, userUri, contactUri);
        SipUri remoteUri = pairUri(in, userUri, contactUri);
        SipUri remoteTarget = pairUri(in, userUri, contactUri);
        int routes = (int) in.varint();
        List<SipUri> routeSet = new ArrayList<>(routes);
        for (int i = 0; i < routes; i++) {
            routeSet.add(uri(in));
        }
        long localCseq = in.varint();
        long remoteCseq = in.varint();
        String event = sharedString(in);
        Optional<String> eventId = in.optional();
        Instant expiresAt = instant(in);
        return new SubscriptionDialog(role, callId, localTag, remoteTag, localUri, remoteUri, remoteTarget, routeSet,
                localCseq, remoteCseq, event, eventId, expiresAt, secure);
    }

    private static void instant(Bytes.Out out, Instant at) {
        out.zigzag(at.getEpochSecond());
        out.varint(at.getNano());
    }

    private static Instant instant(Bytes.In in) {
        long seconds = in.zigzag();
        return Instant.ofEpochSecond(seconds, in.varint());
    }

    /** A string of the shared table by number (1 + its index), or 0 and the string itself. */
    private void sharedString(Bytes.Out out, String s) {
        int id = share(s);
        out.varint(id + 1L);
        if (id < 0) {
            out.string(s);
        }
    }

    private String sharedString(Bytes.In in) {
        long id = in.varint();
        return id == 0 ? in.string() : shared[(int) id - 1];
    }

    /** The string's index in the shared table, adding it if there is room; -1 when it is not shared. */
    private int share(String s) {
        Integer id = sharedIds.get(s);
        if (id != null) {
            return id;
        }
        if (s.length() > MAX_SHARED_LENGTH) {
            return -1;
        }
        synchronized (this) {
            id = sharedIds.get(s);
            if (id != null) {
                return id;
            }
            if (sharedCount >= MAX_SHARED) {
                return -1;
            }
            String[] table = shared;
            if (sharedCount == table.length) {
                table = Arrays.copyOf(table, table.length * 2);
            }
            table[sharedCount] = s;
            shared = table;
            sharedIds.put(s, sharedCount);
            return sharedCount++;
        }
    }
}
