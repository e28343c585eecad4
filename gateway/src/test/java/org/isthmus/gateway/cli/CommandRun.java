package org.isthmus.gateway.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import picocli.CommandLine;

/** One in-process run of a command: its exit status and what it printed on each stream. */
record CommandRun(int status, String out, String err) {

    /** Runs {@code isthmus ARGS...} as the jar's main does, capturing both streams. */
    static CommandRun isthmus(String... args) {
        return of(IsthmusCommand.commandLine(), args);
    }

    /** Runs a command line made by the test (e.g. one with a stand-in for DNS). */
    static CommandRun of(CommandLine command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int status = command.execute(args);
        return new CommandRun(status, out.toString(), err.toString());
    }

    /** The printed lines of stdout. */
    List<String> lines() {
        return out.lines().toList();
    }
}
