package org.isthmus.gateway.presence;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.isthmus.gateway.store.RecordCodec;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.subscription.AuthorizationState;
import org.isthmus.mapping.subscription.MirrorState;
import org.isthmus.mapping.subscription.NotifierDialog;
import org.isthmus.mapping.subscription.SubscriberDialog;
import org.isthmus.sip.presence.SubscriptionDialogCodec;

/**
 * The stored text of a {@link MirrorRecord}: a version line, then one {@code key=value} line per field,
 * absent optional fields left out. Dialogs use {@link SubscriptionDialogCodec}'s one-line form. Text,
 * so that an operator can read a record with {@code redis-cli}; versioned, so that a later release can
 * still read it.
 */
final class MirrorRecordCodec {

    static final String VERSION_1 = "PM1";

    static final RecordCodec<MirrorRecord> INSTANCE = RecordCodec.text(MirrorRecordCodec::format,
            MirrorRecordCodec::parse);

    private MirrorRecordCodec() {
    }

    static String format(MirrorRecord r) {
        StringBuilder b = new StringBuilder(VERSION_1).append('\n');
        line(b, "user", r.user().toString());
        line(b, "contact-jid", r.contactJid().toString());
        line(b, "user-uri", r.userUri().toString());
        line(b, "contact-uri", r.contactUri().toString());
        MirrorState s = r.state();
        line(b, "state", s.outbound() + "," + s.subscriber() + "," + s.inbound() + "," + s.notifier());
        line(b, "generation", Long.toString(r.generation()));
        r.subscriber().ifPresent(d -> line(b, "subscriber", SubscriptionDialogCodec.format(d)));
        r.notifier().ifPresent(d -> line(b, "notifier", SubscriptionDialogCodec.format(d)));
        for (MirrorTimer t : MirrorTimer.values()) {
            r.due(t).ifPresent(at -> line(b, timerKey(t), at.toString()));
        }
        if (!r.owner().isEmpty()) {
            line(b, "owner", r.owner());
        }
        return b.toString();
    }

    static MirrorRecord parse(String text) {
        String[] lines = text.split("\n");
        if (lines.length == 0 || !lines[0].equals(VERSION_1)) {
            throw new IllegalArgumentException("not a mirror record of version " + VERSION_1);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int eq = lines[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("line " + (i + 1) + " is not key=value");
            }
            fields.put(lines[i].substring(0, eq), lines[i].substring(eq + 1));
        }
        String[] st = required(fields, "state").split(",");
        if (st.length != 4) {
            throw new IllegalArgumentException("state needs four parts");
        }
        MirrorState state = new MirrorState(AuthorizationState.valueOf(st[0]), SubscriberDialog.valueOf(st[1]),
                AuthorizationState.valueOf(st[2]), NotifierDialog.valueOf(st[3]));
        MirrorRecord r = new MirrorRecord(Jid.parse(required(fields, "user")).orThrow(),
                Jid.parse(required(fields, "contact-jid")).orThrow(),
                SipUri.parse(required(fields, "user-uri")).orThrow(),
                SipUri.parse(required(fields, "contact-uri")).orThrow(), state,
                Long.parseLong(required(fields, "generation")),
                optional(fields, "subscriber", SubscriptionDialogCodec::parse),
                optional(fields, "notifier", SubscriptionDialogCodec::parse),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                fields.getOrDefault("owner", ""));
        for (MirrorTimer t : MirrorTimer.values()) {
            r = r.withTimer(t, optional(fields, timerKey(t), Instant::parse));
        }
        return r;
    }

    private static String timerKey(MirrorTimer t) {
        return t.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "-at";
    }

    private static void line(StringBuilder b, String key, String value) {
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(key + " contains a line break");
        }
        b.append(key).append('=').append(value).append('\n');
    }

    private static String required(Map<String, String> fields, String key) {
        String v = fields.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        return v;
    }

    private static <T> Optional<T> optional(Map<String, String> fields, String key, Function<String, T> parse) {
        String v = fields.get(key);
        return v == null ? Optional.empty() : Optional.of(parse.apply(v));
    }
}
