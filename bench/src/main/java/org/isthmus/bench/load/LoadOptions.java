package org.isthmus.bench.load;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The driver's command line. Every run is bounded: in messages (count, or rate × step seconds in
 * the ramp) and in seconds (drain time per run, and {@code maxSeconds} for the whole session).
 *
 * @param messages        messages per direction in the fixed-rate runs
 * @param rate            offered messages per second in the fixed-rate runs
 * @param warmup          messages per direction sent through Isthmus first, not measured (JIT warm-up)
 * @param ramp            offered rates of the ramp, in order; empty for no ramp
 * @param stepSeconds     length of one ramp step
 * @param drainSeconds    how long after the last send a run waits for arrivals before counting the rest lost
 * @param maxSeconds      bound of the whole session; past it every child is stopped and the driver exits 2
 * @param jar             the gateway's runnable jar
 * @param gatewayJavaOptions JVM options for the gateway
 * @param jfr             whether to record a flight recording of the gateway (isthmus.jfr in the work dir)
 * @param presence        mirrored pairs of the presence run ({@link PresenceRun}); 0 for the message runs
 * @param presenceContacts SIP contacts per XMPP user in the presence run
 * @param storeDirectory  where the presence run's gateway keeps its embedded store (a fresh directory in it)
 * @param cds             whether to start the gateway once to write an AppCDS archive, and measure the start
 *                        that uses it
 * @param kamailio        run the comparison paths through Kamailio's xmpp module too: TRUE or FALSE as asked
 *                        ({@code --kamailio}, {@code --no-kamailio}), empty for "when it is installed"
 * @param kamailioShmMb   Kamailio's shared memory, MB ({@code -m})
 * @param kamailioPkgMb   Kamailio's private memory per process, MB ({@code -M})
 * @param kamailioChildren Kamailio's UDP receiver processes ({@code children})
 * @param warmupMode      how the warm-up sends: both directions at once, or one after the other
 * @param repeat          how many times the fixed-rate runs go round all paths (the report gives each
 *                        run and the median per path)
 * @param settleSeconds   after the warm-up and each measured gateway run, how long to wait (then on until
 *                        the gateway is idle, at most 30 s more), counting the CPU it spends meanwhile above
 *                        its idle rate as the run's deferred work; 0 to read the CPU only at the last
 *                        arrival (+0.4 s)
 * @param settledMillisPerSecond the gateway counts as idle once a 2 s window shows at most this much CPU
 *                        per second
 */
record LoadOptions(int messages, int rate, int warmup, List<Integer> ramp, int stepSeconds, int drainSeconds,
        int maxSeconds, Path jar, List<String> gatewayJavaOptions, boolean jfr, int presence, int presenceContacts,
        java.util.Optional<Path> storeDirectory, boolean cds, java.util.Optional<Boolean> kamailio,
        int kamailioShmMb, int kamailioPkgMb, int kamailioChildren, WarmupMode warmupMode, int repeat,
        int settleSeconds, int settledMillisPerSecond) {

    /** How the warm-up sends its messages through Isthmus. */
    enum WarmupMode {
        /**
         * Both directions at the same time, each at half the rate (the same messages and seconds as
         * {@link #SEPARATE}): a deployed gateway sees both mixed, so the JIT compiles what it profiled
         * with both directions' types at once.
         */
        MIXED,
        /** SIP→XMPP first, then XMPP→SIP, each at the rate (the driver's protocol until 22 November). */
        SEPARATE
    }

    /**
     * The gateway's JVM options as deployed (conf/systemd/isthmus.service, docker-compose.yml), so the
     * driver measures what runs; the heap bound is left out, so a ramp's backlog cannot make the run fail
     * on a heap sized for the unit's host. See the README, Deployment → Java options.
     */
    static final List<String> DEPLOYED_JAVA_OPTIONS = List.of("-XX:MaxTenuringThreshold=1");

    /** The idle threshold of --settled-below: CPU ms per second of a gateway with nothing to do. */
    static final int DEFAULT_SETTLED_MILLIS_PER_SECOND = 10;

    static final String USAGE = """
            Usage: bench/run-load.sh [options]
              --messages N        messages per direction at the fixed rate (default 10000)
              --rate R            the fixed offered rate, messages/s (default 1000)
              --warmup N          messages per direction through Isthmus before measuring (default 5000)
              --warmup-mode M     mixed: both directions at once, each at half the rate (default; a
                                  deployed gateway sees them mixed); separate: one after the other at the rate
              --repeat N          go round the fixed-rate paths N times (default 1); every run is printed,
                                  and the tables give the median per path
              --settle-seconds S  after the warm-up and each measured gateway run, wait S seconds and then
                                  until the gateway is idle (at most 30 s more), and report the CPU it spent
                                  meanwhile above its idle rate as the run's deferred work (default 35:
                                  Timer J keeps a UDP server transaction 32 s); 0: read the CPU
                                  at the last arrival only, as before
              --settled-below MS  idle: a 2 s window with at most MS ms CPU per second (default %d)
              --ramp R1,R2,...    ramp rates, messages/s, 5 s each, stop at the first loss or lag
                                  (default 250,500,1000,2000,4000,8000,12000,16000)
              --no-ramp           skip the ramp
              --step-seconds S    length of a ramp step (default 5)
              --drain-seconds S   wait after the last send before counting the rest lost (default 5)
              --max-seconds S     bound of the whole session (default 1200)
              --jar PATH          the gateway jar (default gateway/target/isthmus.jar)
              --gateway-java-opts "OPTS"  JVM options for the gateway, after the deployed ones
                                  (-XX:MaxTenuringThreshold=1, as conf/systemd/isthmus.service; a later
                                  option of the same name wins)
              --jfr               record the gateway with JFR (isthmus.jfr in the work directory)
              --presence N        instead of the message runs, the presence run: N mirrored pairs (an XMPP
                                  user and a SIP contact subscribed to each other through Isthmus), heap
                                  per pair after GC, then a wave of presence each way at --rate/s
              --presence-contacts M  SIP contacts per XMPP user in the presence run (default 100)
              --store-dir DIR     the presence run's embedded store goes in a fresh directory in DIR
                                  (default: the work directory; /dev/shm keeps disk waits out)
              --cds               start the gateway once with -XX:ArchiveClassesAtExit (a training start, timed
                                  too), then measure the start with -XX:SharedArchiveFile (AppCDS)
              --kamailio          also run the same work through Kamailio's SIP<->XMPP gateway (its xmpp
                                  module) and print Isthmus/Kamailio ratios; fails when it is not installed
                                  (default: on when kamailio and kamailio-xmpp-modules are installed)
              --no-kamailio       skip the Kamailio paths
              --kamailio-shm MB   Kamailio's shared memory, -m (default %d: 4x its default %d MB, which ran
                                  out at 8,000 msg/s in issue 7)
              --kamailio-pkg MB   Kamailio's private memory per process, -M (default %d, its default)
              --kamailio-children N  Kamailio's UDP receiver processes (default %d, its default)
            """.formatted(DEFAULT_SETTLED_MILLIS_PER_SECOND, 4 * KamailioLauncher.DEFAULT_SHM_MB, KamailioLauncher.DEFAULT_SHM_MB,
            KamailioLauncher.DEFAULT_PKG_MB, KamailioLauncher.DEFAULT_CHILDREN);

    LoadOptions {
        ramp = List.copyOf(ramp);
        gatewayJavaOptions = List.copyOf(gatewayJavaOptions);
        if (messages < 1 || rate < 1 || warmup < 0 || stepSeconds < 1 || drainSeconds < 1 || maxSeconds < 10
                || presence < 0 || presenceContacts < 1 || kamailioShmMb < 1 || kamailioPkgMb < 1
                || kamailioChildren < 1 || ramp.stream().anyMatch(r -> r < 1) || repeat < 1 || settleSeconds < 0
                || settledMillisPerSecond < 0) {
            throw new IllegalArgumentException("counts, rates and times must be positive\n" + USAGE);
        }
    }

    static LoadOptions parse(String... args) {
        int messages = 10_000;
        int rate = 1_000;
        int warmup = 5_000;
        List<Integer> ramp = List.of(250, 500, 1_000, 2_000, 4_000, 8_000, 12_000, 16_000);
        int stepSeconds = 5;
        int drainSeconds = 5;
        int maxSeconds = 1_200;
        Path jar = Path.of("gateway/target/isthmus.jar");
        List<String> javaOptions = new ArrayList<>(DEPLOYED_JAVA_OPTIONS);
        boolean jfr = false;
        int presence = 0;
        int presenceContacts = 100;
        Path storeDirectory = null;
        boolean cds = false;
        Boolean kamailio = null;
        int kamailioShmMb = 4 * KamailioLauncher.DEFAULT_SHM_MB;
        int kamailioPkgMb = KamailioLauncher.DEFAULT_PKG_MB;
        int kamailioChildren = KamailioLauncher.DEFAULT_CHILDREN;
        WarmupMode warmupMode = WarmupMode.MIXED;
        int repeat = 1;
        int settleSeconds = 35;
        int settledBelow = DEFAULT_SETTLED_MILLIS_PER_SECOND;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--messages" -> messages = number(args, ++i, arg);
                case "--rate" -> rate = number(args, ++i, arg);
                case "--warmup" -> warmup = number(args, ++i, arg);
                case "--ramp" -> {
                    String[] rates = value(args, ++i, arg).split(",");
                    List<Integer> steps = new ArrayList<>();
                    for (int r = 0; r < rates.length; r++) {
                        steps.add(number(rates, r, arg));
                    }
                    ramp = steps;
                }
                case "--no-ramp" -> ramp = List.of();
                case "--step-seconds" -> stepSeconds = number(args, ++i, arg);
                case "--drain-seconds" -> drainSeconds = number(args, ++i, arg);
                case "--max-seconds" -> maxSeconds = number(args, ++i, arg);
                case "--jar" -> jar = Path.of(value(args, ++i, arg));
                case "--gateway-java-opts" -> javaOptions.addAll(
                        Arrays.stream(value(args, ++i, arg).trim().split("\\s+")).filter(s -> !s.isEmpty()).toList());
                case "--jfr" -> jfr = true;
                case "--presence" -> presence = number(args, ++i, arg);
                case "--presence-contacts" -> presenceContacts = number(args, ++i, arg);
                case "--store-dir" -> storeDirectory = Path.of(value(args, ++i, arg));
                case "--cds" -> cds = true;
                case "--kamailio" -> kamailio = true;
                case "--no-kamailio" -> kamailio = false;
                case "--kamailio-shm" -> kamailioShmMb = number(args, ++i, arg);
                case "--kamailio-pkg" -> kamailioPkgMb = number(args, ++i, arg);
                case "--kamailio-children" -> kamailioChildren = number(args, ++i, arg);
                case "--warmup-mode" -> warmupMode = warmupMode(value(args, ++i, arg));
                case "--repeat" -> repeat = number(args, ++i, arg);
                case "--settle-seconds" -> settleSeconds = number(args, ++i, arg);
                case "--settled-below" -> settledBelow = number(args, ++i, arg);
                default -> throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
            }
        }
        return new LoadOptions(messages, rate, warmup, ramp, stepSeconds, drainSeconds, maxSeconds, jar,
                javaOptions, jfr, presence, presenceContacts,
                java.util.Optional.ofNullable(storeDirectory), cds, java.util.Optional.ofNullable(kamailio),
                kamailioShmMb, kamailioPkgMb, kamailioChildren, warmupMode, repeat, settleSeconds, settledBelow);
    }

    private static WarmupMode warmupMode(String value) {
        return switch (value) {
            case "mixed" -> WarmupMode.MIXED;
            case "separate" -> WarmupMode.SEPARATE;
            default -> throw new IllegalArgumentException("--warmup-mode is mixed or separate, not \"" + value + "\"\n"
                    + USAGE);
        };
    }

    /** The option's value as a whole number; a clear error naming the option otherwise. */
    private static int number(String[] args, int i, String option) {
        String value = value(args, i, option);
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, not \"" + value + "\"\n" + USAGE);
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
        }
        return args[i];
    }
}
