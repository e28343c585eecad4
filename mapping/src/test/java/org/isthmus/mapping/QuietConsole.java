package org.isthmus.mapping;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Runs code with {@code System.out} and {@code System.err} captured and fails if it wrote anything: the
 * mapping module never logs (STYLE.md rule 7), and a library under it that prints on hostile input
 * would let a peer flood the gateway's console. What the fuzzer's own agent prints while it instruments
 * a class loaded during the call is not the code's output and is let through. Not thread-safe; fuzz
 * tests run one input at a time.
 */
public final class QuietConsole {

    private static final String FUZZER_PACKAGE = "com.code_intelligence.jazzer.";

    private QuietConsole() {
    }

    /** The value {@code code} returns; an {@link AssertionError} naming the output if it printed any. */
    public static <T> T call(Supplier<T> code) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(new Capture(printed, err), true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        T value;
        try {
            value = code.get();
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        if (printed.size() > 0) {
            throw new AssertionError("printed to the console: " + printed.toString(StandardCharsets.UTF_8).strip());
        }
        return value;
    }

    /** Keeps what the code writes; passes the fuzzer's own notices on to the real console. */
    private static final class Capture extends OutputStream {
        private final ByteArrayOutputStream printed;
        private final PrintStream console;

        Capture(ByteArrayOutputStream printed, PrintStream console) {
            this.printed = printed;
            this.console = console;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            // Only the frames between the write and the call count: the fuzzer itself calls the test.
            boolean fromFuzzer = StackWalker.getInstance().walk(frames -> frames
                    .takeWhile(f -> !f.getClassName().equals(QuietConsole.class.getName()))
                    .anyMatch(f -> f.getClassName().startsWith(FUZZER_PACKAGE)));
            if (fromFuzzer) {
                console.write(b, off, len);
            } else {
                printed.write(b, off, len);
            }
        }
    }
}
