package org.isthmus.bench.load;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of a process, user plus system, from {@code /proc/<pid>/stat} (proc(5): fields 14 and
 * 15, in clock ticks), for "CPU per 1000 messages": read before and after a run.
 */
final class ProcessCpu {

    private final long pid;
    private final long ticksPerSecond;

    ProcessCpu(long pid, long ticksPerSecond) {
        this.pid = pid;
        this.ticksPerSecond = ticksPerSecond;
    }

    /** utime + stime in milliseconds, or -1 when the process is gone. */
    long millis() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks * 1000 / ticksPerSecond;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * CPU milliseconds of the JVM's own machinery, by thread name from /proc/<pid>/task: index 0 the
     * JIT compilers ("C1/C2 CompilerThread"), 1 the garbage collector ("GC Thread", "G1 ...", "VM
     * Thread"). Per thread id, so that {@link #jvmDelta} can subtract; threads that ended are missing.
     */
    Map<String, long[]> jvmThreads() {
        Map<String, long[]> threads = new HashMap<>();
        File[] tasks = new File("/proc/" + pid + "/task").listFiles();
        if (tasks == null) {
            return threads;
        }
        for (File task : tasks) {
            try {
                String stat = Files.readString(task.toPath().resolve("stat"), StandardCharsets.US_ASCII);
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                int kind = name.startsWith("C1 Compi") || name.startsWith("C2 Compi") ? 0
                        : name.startsWith("GC Thread") || name.startsWith("G1 ") || name.startsWith("VM Thread") ? 1 : -1;
                if (kind >= 0) {
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long millis = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 1000 / ticksPerSecond;
                    threads.put(task.getName(), new long[] {kind, millis});
                }
            } catch (IOException | RuntimeException gone) {
                // The thread ended while listed.
            }
        }
        return threads;
    }

    /** JIT and GC milliseconds spent between two {@link #jvmThreads} readings: {jit, gc}. */
    static long[] jvmDelta(Map<String, long[]> before, Map<String, long[]> after) {
        long[] delta = new long[2];
        for (Map.Entry<String, long[]> thread : after.entrySet()) {
            long[] start = before.get(thread.getKey());
            delta[(int) thread.getValue()[0]] += thread.getValue()[1] - (start == null ? 0 : start[1]);
        }
        return delta;
    }

    /** The kernel's clock ticks per second ({@code getconf CLK_TCK}), 100 when it cannot be asked. */
    static long ticksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            getconf.waitFor();
            return Long.parseLong(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
