package org.isthmus.gateway.registrar;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.isthmus.gateway.store.RecordCodec;
import org.isthmus.gateway.store.StoreException;
import org.isthmus.mapping.address.SipUri;

/**
 * One address of record's bindings as stored text: a line per binding,
 * {@code contact|expiresAtMillis|callId|cseq|registeredAtMillis}, fields percent-escaped so neither
 * {@code |} nor a line break can appear inside one. Versioned by its first line, {@code B1}.
 */
final class BindingsCodec implements RecordCodec<List<Registrar.Binding>> {

    static final BindingsCodec INSTANCE = new BindingsCodec();
    private static final String VERSION = "B1";

    private BindingsCodec() {
    }

    @Override
    public byte[] encode(List<Registrar.Binding> bindings) {
        StringBuilder sb = new StringBuilder(VERSION);
        for (Registrar.Binding b : bindings) {
            sb.append('\n').append(escape(b.contact().toString())).append('|').append(b.expiresAt().toEpochMilli())
                    .append('|').append(escape(b.callId())).append('|').append(b.cseq())
                    .append('|').append(b.registeredAt().toEpochMilli());
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public List<Registrar.Binding> decode(byte[] bytes) {
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
        if (!lines[0].equals(VERSION)) {
            throw new StoreException("stored bindings have an unknown format '" + lines[0] + "'");
        }
        List<Registrar.Binding> out = new ArrayList<>(lines.length - 1);
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split("\\|", -1);
            if (f.length != 5) {
                throw new StoreException("stored binding line " + i + " has " + f.length + " fields, not 5");
            }
            try {
                SipUri contact = SipUri.parse(unescape(f[0])).orThrow();
                out.add(new Registrar.Binding(contact, Instant.ofEpochMilli(Long.parseLong(f[1])), unescape(f[2]),
                        Long.parseLong(f[3]), Instant.ofEpochMilli(Long.parseLong(f[4]))));
            } catch (RuntimeException e) {
                throw new StoreException("stored binding line " + i + " is damaged: " + e.getMessage());
            }
        }
        return out;
    }

    private static String escape(String s) {
        return s.replace("%", "%25").replace("|", "%7C").replace("\n", "%0A").replace("\r", "%0D");
    }

    private static String unescape(String s) {
        return s.replace("%0D", "\r").replace("%0A", "\n").replace("%7C", "|").replace("%25", "%");
    }
}
