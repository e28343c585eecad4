package org.isthmus.gateway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code isthmus} command: the entry point of the runnable jar. */
@Command(name = "isthmus", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Isthmus: an XMPP <-> SIP/SIMPLE gateway.",
        subcommands = {RunCommand.class, CommandLine.HelpCommand.class})
public final class IsthmusCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: try 'isthmus run --config conf/gateway.yaml'");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for tests. */
    static CommandLine commandLine() {
        return new CommandLine(new IsthmusCommand());
    }
}
