package org.isthmus.gateway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code isthmus} command: the entry point of the runnable jar. */
@Command(name = "isthmus", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Isthmus: an XMPP <-> SIP/SIMPLE gateway.",
        subcommands = {RunCommand.class, CheckConfigCommand.class, TranslateCommand.class, CertsCommand.class, TestImCommand.class,
                CommandLine.HelpCommand.class})
public final class IsthmusCommand implements Runnable {

    /** Exit status for a failure no command foresaw. */
    static final int EXIT_UNEXPECTED = 70;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: try 'isthmus run --config conf/gateway.yaml'");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The configured command line, for tests too. An exception no command expected ends with its
     * message and status {@value #EXIT_UNEXPECTED}, never a stack trace: the commands are for operators.
     */
    static CommandLine commandLine() {
        return new CommandLine(new IsthmusCommand()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("isthmus " + cmd.getCommandName() + ": " + e);
            cmd.getErr().flush();
            return EXIT_UNEXPECTED;
        });
    }
}
