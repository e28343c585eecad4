package org.isthmus.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link StateStore} contract, run against every implementation: each subclass says how to open a
 * store on empty storage and how to open it again on the same storage.
 */
abstract class StateStoreContract {

    static final String NS = "mirror";

    /** Long enough to read a value back before it expires, short enough to wait for. */
    static final Duration SHORT_TTL = Duration.ofMillis(600);

    protected StateStore store;

    /** A store on empty storage; called once before each test. */
    protected abstract StateStore openEmpty() throws Exception;

    /** A new store on the storage of the last one opened, which the caller has closed. */
    protected abstract StateStore reopen() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = openEmpty();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    // --- get, put, versions

    @Test
    void aMissingKeyIsEmpty() {
        assertThat(join(store.get(key("nobody")))).isEmpty();
    }

    @Test
    void putThenGetReturnsTheBytesAndTheVersion() {
        byte[] value = new byte[256];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        long version = join(store.put(key("juliet@xmpp.example|romeo@sip.example"), value));

        StoreEntry entry = join(store.get(key("juliet@xmpp.example|romeo@sip.example"))).orElseThrow();
        assertThat(entry.value()).isEqualTo(value);
        assertThat(entry.version()).isEqualTo(version).isPositive();
        assertThat(entry.key()).isEqualTo(key("juliet@xmpp.example|romeo@sip.example"));
    }

    @Test
    void anEmptyValueIsAValue() {
        join(store.put(key("empty"), new byte[0]));
        assertThat(join(store.get(key("empty")))).hasValueSatisfying(e -> assertThat(e.value()).isEmpty());
    }

    @Test
    void namesAreUnicodeAndNamespacesAreSeparate() {
        StoreKey inMirror = key("jüliet@xmpp.example/📱");
        StoreKey inDialogs = StoreKey.of("dialogs", "jüliet@xmpp.example/📱");
        join(store.put(inMirror, utf8("mirror")));
        join(store.put(inDialogs, utf8("dialog")));
        assertThat(join(store.get(inMirror)).orElseThrow().text()).isEqualTo("mirror");
        assertThat(join(store.get(inDialogs)).orElseThrow().text()).isEqualTo("dialog");
    }

    @Test
    void aPutReplacesTheValueWithANewerVersion() {
        long first = join(store.put(key("k"), utf8("one")));
        long second = join(store.put(key("k"), utf8("two")));
        assertThat(second).isGreaterThan(first);
        assertThat(join(store.get(key("k"))).orElseThrow().text()).isEqualTo("two");
    }

    @Test
    void theCallersArrayIsCopied() {
        byte[] value = utf8("before");
        CompletionStage<Long> put = store.put(key("k"), value);
        value[0] = 'X';
        join(put);
        assertThat(join(store.get(key("k"))).orElseThrow().text()).isEqualTo("before");
    }

    // --- compare-and-set

    @Test
    void putIfAbsentSucceedsOnce() {
        OptionalLong first = join(store.putIfVersion(key("k"), StateStore.ABSENT, utf8("a"), Optional.empty()));
        OptionalLong second = join(store.putIfVersion(key("k"), StateStore.ABSENT, utf8("b"), Optional.empty()));
        assertThat(first).isPresent();
        assertThat(second).isEmpty();
        StoreEntry entry = join(store.get(key("k"))).orElseThrow();
        assertThat(entry.text()).isEqualTo("a");
        assertThat(entry.version()).isEqualTo(first.getAsLong());
    }

    @Test
    void putIfVersionWritesOnlyOverTheVersionItExpects() {
        long v1 = join(store.put(key("k"), utf8("one")));
        long v2 = join(store.put(key("k"), utf8("two")));

        assertThat(join(store.putIfVersion(key("k"), v1, utf8("stale"), Optional.empty()))).isEmpty();
        OptionalLong v3 = join(store.putIfVersion(key("k"), v2, utf8("three"), Optional.empty()));
        assertThat(v3).isPresent();
        assertThat(v3.getAsLong()).isGreaterThan(v2);
        assertThat(join(store.get(key("k"))).orElseThrow().text()).isEqualTo("three");
        assertThat(join(store.putIfVersion(key("missing"), v2, utf8("x"), Optional.empty()))).isEmpty();
        assertThat(join(store.get(key("missing")))).isEmpty();
    }

    @Test
    void aVersionIsNotReusedAfterDeleteAndRecreate() {
        long before = join(store.put(key("k"), utf8("one")));
        join(store.delete(key("k")));
        long after = join(store.put(key("k"), utf8("two")));
        assertThat(after).isNotEqualTo(before);
        assertThat(join(store.putIfVersion(key("k"), before, utf8("aba"), Optional.empty()))).isEmpty();
    }

    @Test
    void twoWritersCasTheSameKeyAndNoUpdateIsLost() throws Exception {
        join(store.put(key("shared"), utf8("0")));
        int perThread = 150;
        AtomicInteger conflicts = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                done.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        while (true) {
                            StoreEntry current = join(store.get(key("shared"))).orElseThrow();
                            long next = Long.parseLong(current.text()) + 1;
                            if (join(store.putIfVersion(key("shared"), current.version(), utf8(Long.toString(next)),
                                    Optional.empty())).isPresent()) {
                                break;
                            }
                            conflicts.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(join(store.get(key("shared"))).orElseThrow().text()).isEqualTo(Integer.toString(2 * perThread));
    }

    // --- delete

    @Test
    void deleteSaysWhetherThereWasAnEntry() {
        join(store.put(key("k"), utf8("v")));
        assertThat(join(store.delete(key("k")))).isTrue();
        assertThat(join(store.delete(key("k")))).isFalse();
        assertThat(join(store.get(key("k")))).isEmpty();
    }

    @Test
    void deleteIfVersionRemovesOnlyTheVersionItExpects() {
        long v1 = join(store.put(key("k"), utf8("one")));
        long v2 = join(store.put(key("k"), utf8("two")));
        assertThat(join(store.deleteIfVersion(key("k"), v1))).isFalse();
        assertThat(join(store.get(key("k")))).isPresent();
        assertThat(join(store.deleteIfVersion(key("k"), v2))).isTrue();
        assertThat(join(store.get(key("k")))).isEmpty();
        assertThat(join(store.deleteIfVersion(key("k"), v2))).isFalse();
    }

    // --- counters

    @Test
    void aCounterStartsAtZeroAndCountsBothWays() {
        assertThat(join(store.increment(key("cseq"), 1))).isEqualTo(1);
        assertThat(join(store.increment(key("cseq"), 41))).isEqualTo(42);
        assertThat(join(store.increment(key("cseq"), -2))).isEqualTo(40);
        assertThat(join(store.increment(key("cseq"), 0))).isEqualTo(40);
        assertThat(join(store.get(key("cseq"))).orElseThrow().text()).isEqualTo("40");
    }

    @Test
    void aCounterCanBeSetByPutAndCountsTo64Bits() {
        join(store.put(key("cseq"), utf8(Long.toString(Long.MAX_VALUE - 1))));
        assertThat(join(store.increment(key("cseq"), 1))).isEqualTo(Long.MAX_VALUE);
        assertThat(failure(store.increment(key("cseq"), 1))).isInstanceOf(StoreException.class);
        assertThat(join(store.get(key("cseq"))).orElseThrow().text()).isEqualTo(Long.toString(Long.MAX_VALUE));
    }

    @Test
    void incrementingAValueThatIsNotANumberFails() {
        join(store.put(key("k"), utf8("SD1|N|call-id")));
        assertThat(failure(store.increment(key("k"), 1))).isInstanceOf(StoreException.class);
        assertThat(join(store.get(key("k"))).orElseThrow().text()).isEqualTo("SD1|N|call-id");
    }

    @Test
    void eachIncrementGivesANewVersion() {
        join(store.increment(key("c"), 1));
        long v1 = join(store.get(key("c"))).orElseThrow().version();
        join(store.increment(key("c"), 1));
        assertThat(join(store.get(key("c"))).orElseThrow().version()).isGreaterThan(v1);
    }

    @Test
    void countersFromEightThreadsAddUpExactly() throws Exception {
        int threadCount = 8;
        int perThread = 250;
        ExecutorService threads = Executors.newFixedThreadPool(threadCount);
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threadCount; t++) {
                done.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        seen.add(join(store.increment(key("cseq"), 1)));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        long total = (long) threadCount * perThread;
        assertThat(join(store.get(key("cseq"))).orElseThrow().text()).isEqualTo(Long.toString(total));
        assertThat(seen).as("every increment saw its own value").hasSize((int) total);
    }

    @Test
    void manyIncrementsInFlightAtOnceAddUpExactly() {
        List<CompletableFuture<Long>> all = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            all.add(store.increment(key("burst"), 3).toCompletableFuture());
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        assertThat(join(store.get(key("burst"))).orElseThrow().text()).isEqualTo("6000");
    }

    // --- expiry

    @Test
    void anEntryExpiresAfterItsTimeToLive() throws Exception {
        join(store.put(key("brief"), utf8("v"), Optional.of(SHORT_TTL)));
        join(store.put(key("lasting"), utf8("v")));
        assertThat(join(store.get(key("brief")))).isPresent();

        awaitAbsent(key("brief"));
        assertThat(join(store.get(key("lasting")))).isPresent();
        assertThat(names(scanAllPages(NS, "", 10))).containsExactly("lasting");
        assertThat(join(store.delete(key("brief")))).isFalse();
        assertThat(join(store.putIfVersion(key("brief"), StateStore.ABSENT, utf8("again"), Optional.empty())))
                .isPresent();
    }

    @Test
    void aPutWithoutTimeToLiveMakesTheEntryLasting() throws Exception {
        join(store.put(key("k"), utf8("v"), Optional.of(SHORT_TTL)));
        join(store.put(key("k"), utf8("w")));
        Thread.sleep(SHORT_TTL.toMillis() + 300);
        assertThat(join(store.get(key("k"))).orElseThrow().text()).isEqualTo("w");
    }

    @Test
    void aCounterKeepsItsTimeToLive() throws Exception {
        join(store.put(key("c"), utf8("5"), Optional.of(SHORT_TTL)));
        assertThat(join(store.increment(key("c"), 1))).isEqualTo(6);
        awaitAbsent(key("c"));
        assertThat(join(store.increment(key("c"), 1))).isEqualTo(1);
    }

    @Test
    void aConditionalPutCanSetATimeToLive() throws Exception {
        long v = join(store.put(key("k"), utf8("v")));
        assertThat(join(store.putIfVersion(key("k"), v, utf8("w"), Optional.of(SHORT_TTL)))).isPresent();
        awaitAbsent(key("k"));
    }

    @Test
    void aTimeToLiveIsAtLeastOneMillisecond() {
        assertThatThrownBy(() -> store.put(key("k"), utf8("v"), Optional.of(Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.put(key("k"), utf8("v"), Optional.of(Duration.ofMillis(-5))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // --- scans

    @Test
    void tenThousandKeysScanInBoundedPages() {
        int count = 10_000;
        List<CompletableFuture<Long>> writes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            writes.add(store.put(key("sub:" + i), utf8("value " + i)).toCompletableFuture());
        }
        writes.add(store.put(key("other:1"), utf8("not in the prefix")).toCompletableFuture());
        writes.add(store.put(StoreKey.of("dialogs", "sub:1"), utf8("not in the namespace")).toCompletableFuture());
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();

        Set<String> names = new HashSet<>();
        int pages = 0;
        Optional<String> cursor = Optional.empty();
        do {
            StorePage page = join(store.scan(NS, "sub:", cursor, 100));
            assertThat(page.entries()).hasSizeLessThanOrEqualTo(100);
            for (StoreEntry entry : page.entries()) {
                String name = entry.key().name();
                assertThat(entry.key().namespace()).isEqualTo(NS);
                assertThat(entry.text()).isEqualTo("value " + name.substring("sub:".length()));
                names.add(name);
            }
            cursor = page.next();
            pages++;
            assertThat(pages).as("the scan ends").isLessThan(1_000);
        } while (cursor.isPresent());

        assertThat(names).hasSize(count).allMatch(name -> name.startsWith("sub:"));
        assertThat(pages).isGreaterThanOrEqualTo(count / 100);
    }

    @Test
    void aPrefixIsLiteralNotAPattern() {
        join(store.put(key("a*[b]?\\c:1"), utf8("x")));
        join(store.put(key("a*[b]?\\c:2"), utf8("x")));
        join(store.put(key("aX[b]?\\c:3"), utf8("x")));
        join(store.put(key("ab"), utf8("x")));
        assertThat(names(scanAllPages(NS, "a*[b]?\\c:", 1))).containsExactlyInAnyOrder("a*[b]?\\c:1", "a*[b]?\\c:2");
        assertThat(names(scanAllPages(NS, "", 3))).hasSize(4);
    }

    @Test
    void scanningAnEmptyNamespaceEnds() {
        assertThat(scanAllPages("empty", "", 50)).isEmpty();
    }

    @Test
    void pageSizesAreChecked() {
        assertThatThrownBy(() -> store.scan(NS, "", Optional.empty(), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.scan(NS, "", Optional.empty(), StateStore.MAX_PAGE_SIZE + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scanAllHandsOverOnePageAtATime() {
        for (int i = 0; i < 250; i++) {
            join(store.put(key("w" + i), utf8("v")));
        }
        AtomicInteger busy = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        Set<String> names = ConcurrentHashMap.newKeySet();
        ExecutorService slow = Executors.newSingleThreadExecutor();
        try {
            long handed = join(store.scanAll(NS, "w", 20, page -> {
                if (busy.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                page.entries().forEach(e -> names.add(e.key().name()));
                return CompletableFuture.runAsync(() -> {
                    sleep(2);
                    busy.decrementAndGet();
                }, slow);
            }));
            assertThat(handed).isGreaterThanOrEqualTo(250);
        } finally {
            slow.shutdownNow();
        }
        assertThat(names).hasSize(250);
        assertThat(overlaps).hasValue(0);
    }

    @Test
    void aFailingConsumerStopsScanAll() {
        for (int i = 0; i < 30; i++) {
            join(store.put(key("w" + i), utf8("v")));
        }
        AtomicInteger pages = new AtomicInteger();
        Throwable failure = failure(store.scanAll(NS, "", 10, page -> {
            pages.incrementAndGet();
            return CompletableFuture.failedFuture(new IllegalStateException("stop"));
        }));
        assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("stop");
        assertThat(pages).hasValue(1);
    }

    // --- typed records

    @Test
    void recordsGoThroughTheirCodec() {
        RecordStore<Presence> presences = store.records("presence", Presence.CODEC);
        long v = join(presences.put("romeo@sip.example", new Presence("away", 3)));
        assertThat(join(presences.get("romeo@sip.example")))
                .contains(new Versioned<>("romeo@sip.example", new Presence("away", 3), v));
        assertThat(join(presences.putIfVersion("romeo@sip.example", v, new Presence("dnd", 4)))).isPresent();
        join(presences.put("juliet@xmpp.example", new Presence("chat", 1), Duration.ofMinutes(5)));

        List<Versioned<Presence>> all = new ArrayList<>();
        assertThat(join(presences.scanAll("", 1, page -> {
            all.addAll(page);
            return CompletableFuture.completedFuture(null);
        }))).isEqualTo(2);
        assertThat(all).extracting(Versioned::value)
                .containsExactlyInAnyOrder(new Presence("dnd", 4), new Presence("chat", 1));
    }

    @Test
    void aRecordThatDoesNotDecodeIsReportedWithItsKey() {
        join(store.put(StoreKey.of("presence", "bad"), utf8("no separator")));
        Throwable failure = failure(store.records("presence", Presence.CODEC).get("bad"));
        assertThat(failure).isInstanceOf(StoreException.class).hasMessageContaining("bad");
    }

    // --- lifecycle

    @Test
    void everythingSurvivesCloseAndReopen() throws Exception {
        long v = join(store.put(key("k"), utf8("kept")));
        join(store.increment(key("cseq"), 7));
        join(store.put(key("brief"), utf8("v"), Optional.of(Duration.ofMinutes(5))));
        store.close();

        store = reopen();
        StoreEntry entry = join(store.get(key("k"))).orElseThrow();
        assertThat(entry.text()).isEqualTo("kept");
        assertThat(entry.version()).isEqualTo(v);
        assertThat(join(store.increment(key("cseq"), 1))).isEqualTo(8);
        assertThat(join(store.get(key("brief")))).isPresent();
        assertThat(join(store.put(key("k"), utf8("new")))).as("versions go on growing").isGreaterThan(v);
    }

    @Test
    void operationsAfterCloseFail() {
        store.close();
        assertThat(failure(store.put(key("k"), utf8("v")))).isInstanceOf(StoreException.class);
        assertThat(failure(store.get(key("k")))).isInstanceOf(StoreException.class);
        store.close();
    }

    @Test
    void writesAcceptedBeforeCloseComplete() {
        List<CompletableFuture<Long>> writes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            writes.add(store.put(key("late" + i), utf8("v")).toCompletableFuture());
        }
        store.close();
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
    }

    @Test
    void invalidKeysAreRefusedAtOnce() {
        assertThatThrownBy(() -> StoreKey.of("Mirror", "k")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StoreKey.of("{mirror}", "k")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StoreKey.of("mirror", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StoreKey.of("mirror", "a\nb")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StoreKey.of("mirror", "\ud800")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.scan("no:colon", "", Optional.empty(), 10))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // --- helpers

    static StoreKey key(String name) {
        return StoreKey.of(NS, name);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
    }

    /** The exception a stage failed with (unwrapped); fails the test if it succeeded. */
    static Throwable failure(CompletionStage<?> stage) {
        try {
            join(stage);
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("the operation succeeded");
    }

    List<StoreEntry> scanAllPages(String namespace, String prefix, int limit) {
        List<StoreEntry> all = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            StorePage page = join(store.scan(namespace, prefix, cursor, limit));
            assertThat(page.entries()).hasSizeLessThanOrEqualTo(limit);
            all.addAll(page.entries());
            cursor = page.next();
        } while (cursor.isPresent());
        return all;
    }

    static List<String> names(List<StoreEntry> entries) {
        return entries.stream().map(e -> e.key().name()).distinct().toList();
    }

    void awaitAbsent(StoreKey key) {
        Instant deadline = Instant.now().plusSeconds(10);
        while (join(store.get(key)).isPresent()) {
            assertThat(Instant.now()).as(key + " expires").isBefore(deadline);
            sleep(25);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A small record with a text codec, standing in for the gateway's own. */
    record Presence(String show, int priority) {
        static final RecordCodec<Presence> CODEC = RecordCodec.text(
                p -> p.show() + "|" + p.priority(),
                text -> {
                    int bar = text.indexOf('|');
                    if (bar < 0) {
                        throw new IllegalArgumentException("no '|' in " + text);
                    }
                    return new Presence(text.substring(0, bar), Integer.parseInt(text.substring(bar + 1)));
                });
    }
}
