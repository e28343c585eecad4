package org.isthmus.gateway.registrar;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.gateway.config.RegistrarSettings;
import org.isthmus.gateway.store.RecordStore;
import org.isthmus.gateway.store.StateStore;
import org.isthmus.gateway.store.Versioned;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.sip.RegisterOutcome;
import org.isthmus.sip.SipBinding;
import org.isthmus.sip.SipRegistration;

/**
 * The registrar and its location service (RFC 3261 §10.3): bindings from an address of record to
 * contacts, each with an expiry and the Call-ID/CSeq that last set it. Lookups are served from memory;
 * with a store, each address of record's bindings are also written there before the 200 OK goes out
 * (so an accepted registration survives a restart) and read back by {@link #restore()} at start.
 */
public final class Registrar {

    private static final Logger LOG = LoggerFactory.getLogger(Registrar.class);

    /** The store's namespace for bindings; a record per address of record. */
    public static final String NAMESPACE = "registrations";

    private final RegistrarSettings settings;
    private final Clock clock;
    private final Optional<RecordStore<List<Binding>>> store;
    private final Map<String, List<Binding>> bindings = new ConcurrentHashMap<>();

    /** One contact bound to an address of record. */
    public record Binding(SipUri contact, Instant expiresAt, String callId, long cseq, Instant registeredAt) {
    }

    /** A registrar whose bindings live in memory only. */
    public Registrar(RegistrarSettings settings, Clock clock) {
        this(settings, clock, Optional.empty());
    }

    /** A registrar that keeps every address of record's bindings in {@code store} too. */
    public Registrar(RegistrarSettings settings, Clock clock, Optional<StateStore> store) {
        this.settings = settings;
        this.clock = clock;
        this.store = store.map(s -> s.records(NAMESPACE, BindingsCodec.INSTANCE));
    }

    /**
     * Loads the live bindings of every address of record from the store (nothing without one); call
     * once before the SIP edge starts taking REGISTERs. Completes with the number of addresses restored.
     */
    public CompletionStage<Integer> restore() {
        if (store.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        Instant now = clock.instant();
        int[] restored = {0};
        return store.get().scanAll("", 500, page -> {
            for (Versioned<List<Binding>> record : page) {
                List<Binding> list = live(record.value(), now);
                if (!list.isEmpty()) {
                    bindings.put(record.name(), list);
                    restored[0]++;
                }
            }
            return CompletableFuture.completedFuture(null);
        }).thenApply(pages -> {
            LOG.info("registrations restored: {} addresses of record", restored[0]);
            return restored[0];
        });
    }

    /**
     * Processes a REGISTER as {@link #register} does, and with a store completes only once the new
     * bindings are durable there (a failure to store answers 500, and the user agent retries).
     */
    public CompletionStage<RegisterOutcome> registerDurably(SipRegistration request) {
        CompletionStage<?>[] write = new CompletionStage<?>[1];
        RegisterOutcome outcome = register(request, write);
        if (write[0] == null) {
            return CompletableFuture.completedFuture(outcome);
        }
        return write[0].handle((ok, error) -> {
            if (error == null) {
                return outcome;
            }
            LOG.warn("registration not stored call-id={}: {}", request.callId(), error.toString());
            return reject(500, "Registration could not be stored");
        });
    }

    /** Whether REGISTER requests for {@code domain} are accepted here. */
    public boolean serves(String domain) {
        return settings.domains().contains(domain);
    }

    /** Processes a REGISTER (RFC 3261 §10.3 steps 1, 5–8), in memory only. */
    public RegisterOutcome register(SipRegistration request) {
        return register(request, new CompletionStage<?>[1]);
    }

    private RegisterOutcome register(SipRegistration request, CompletionStage<?>[] write) {
        SipUri aor = request.addressOfRecord().addressOfRecord();
        // Step 1: only domains this registrar is responsible for.
        if (!serves(aor.host())) {
            return reject(404, "Domain " + aor.host() + " is not served by this registrar");
        }
        if (aor.user().isEmpty()) {
            return reject(400, "To has no user part");
        }
        // Step 6: a wildcard stands alone, with Expires: 0.
        if (request.wildcard()) {
            if (!request.bindings().isEmpty() || request.expires().orElse(-1) != 0) {
                return reject(400, "Contact: * requires Expires: 0 and no other Contact");
            }
        }
        Instant now = clock.instant();
        // Step 6: every requested interval is checked before anything is changed.
        for (SipBinding b : request.bindings()) {
            int e = requested(b, request);
            if (e > 0 && e < settings.minExpires()) {
                return new RegisterOutcome(SipStatus.of(423), List.of(), OptionalInt.of(settings.minExpires()));
            }
        }
        String key = aor.toString();
        String[] failure = new String[1];
        List<Binding> updated = bindings.compute(key, (k, current) -> {
            List<Binding> list = live(current, now);
            if (request.wildcard()) {
                // Step 7: removal of all bindings still honours Call-ID/CSeq ordering.
                for (Binding b : list) {
                    if (b.callId().equals(request.callId()) && request.cseq() <= b.cseq()) {
                        failure[0] = "out-of-order REGISTER for " + k;
                        return list.isEmpty() ? null : list;
                    }
                }
                write[0] = persist(k, List.of(), now);
                return null;
            }
            for (SipBinding requested : request.bindings()) {
                String contact = requested.contact().toString();
                Binding existing = list.stream().filter(b -> b.contact().toString().equals(contact)).findFirst().orElse(null);
                if (existing != null && existing.callId().equals(request.callId()) && request.cseq() <= existing.cseq()) {
                    failure[0] = "out-of-order REGISTER for " + k;
                    return list.isEmpty() ? null : list;
                }
            }
            for (SipBinding requested : request.bindings()) {
                String contact = requested.contact().toString();
                list.removeIf(b -> b.contact().toString().equals(contact));
                int e = Math.min(requested(requested, request), settings.maxExpires());
                if (e > 0) {
                    list.add(new Binding(requested.contact(), now.plusSeconds(e), request.callId(), request.cseq(), now));
                }
            }
            // Submitted while this address of record is locked, so its writes queue in the order of its changes.
            write[0] = persist(k, list, now);
            return list.isEmpty() ? null : list;
        });
        if (failure[0] != null) {
            return reject(500, "Out-of-order REGISTER (CSeq not higher than the binding's)");
        }
        List<SipBinding> current = toOutcome(updated, now);
        LOG.info("registration aor={} call-id={} contacts={}", key, request.callId(), current.size());
        return new RegisterOutcome(SipStatus.of(200), current, OptionalInt.empty());
    }

    /** Writes (or, when empty, deletes) one address of record's bindings, expiring with the last of them. */
    private CompletionStage<?> persist(String aor, List<Binding> list, Instant now) {
        if (store.isEmpty()) {
            return null;
        }
        if (list.isEmpty()) {
            return store.get().delete(aor);
        }
        Instant last = list.stream().map(Binding::expiresAt).max(Comparator.naturalOrder()).orElse(now);
        return store.get().put(aor, List.copyOf(list), Duration.between(now, last).plusSeconds(1));
    }

    /** The live contacts of an address of record, most recently registered first. */
    public List<Binding> lookup(SipUri addressOfRecord) {
        String key = addressOfRecord.addressOfRecord().toString();
        Instant now = clock.instant();
        List<Binding> list = bindings.computeIfPresent(key, (k, current) -> {
            List<Binding> l = live(current, now);
            return l.isEmpty() ? null : l;
        });
        if (list == null) {
            return List.of();
        }
        List<Binding> out = new ArrayList<>(list);
        out.sort(Comparator.comparing(Binding::registeredAt).reversed());
        return List.copyOf(out);
    }

    /** Every live binding by address of record, for the session view. */
    public Map<String, List<Binding>> snapshot() {
        Instant now = clock.instant();
        Map<String, List<Binding>> out = new TreeMap<>();
        bindings.forEach((aor, list) -> {
            List<Binding> l = live(list, now);
            if (!l.isEmpty()) {
                out.put(aor, l);
            }
        });
        return out;
    }

    /** The interval asked for one contact: its expires parameter, else the Expires header, else the default. */
    private int requested(SipBinding b, SipRegistration request) {
        return b.expires().orElse(request.expires().orElse(settings.defaultExpires()));
    }

    private static List<Binding> live(List<Binding> current, Instant now) {
        List<Binding> list = new ArrayList<>();
        if (current != null) {
            for (Binding b : current) {
                if (b.expiresAt().isAfter(now)) {
                    list.add(b);
                }
            }
        }
        return list;
    }

    private static List<SipBinding> toOutcome(List<Binding> list, Instant now) {
        if (list == null) {
            return List.of();
        }
        List<SipBinding> out = new ArrayList<>();
        for (Binding b : list) {
            long remaining = Math.max(0, b.expiresAt().getEpochSecond() - now.getEpochSecond());
            out.add(new SipBinding(b.contact(), OptionalInt.of((int) remaining)));
        }
        return out;
    }

    private static RegisterOutcome reject(int code, String reason) {
        return new RegisterOutcome(new SipStatus(code, reason), List.of(), OptionalInt.empty());
    }
}
