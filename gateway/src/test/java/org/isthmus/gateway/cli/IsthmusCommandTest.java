package org.isthmus.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class IsthmusCommandTest {

    private final StringWriter err = new StringWriter();
    private final StringWriter out = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = IsthmusCommand.commandLine();
        cmd.setErr(new PrintWriter(err, true));
        cmd.setOut(new PrintWriter(out, true));
        return cmd.execute(args);
    }

    @Test
    void invalidConfigurationExitsWithStatus2AndNamesThePath(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, "xmpp:\n  component: {domain: sip.xmpp.test, secret: x, port: 0}\n  domains: [xmpp.test]\n");
        assertThat(run("run", "--config", file.toString())).isEqualTo(RunCommand.EXIT_CONFIG);
        assertThat(err.toString())
                .contains("xmpp.component.port: '0': out of range; allowed: 1 to 65535")
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
    }

    @Test
    void missingConfigurationFileIsExplained(@TempDir Path dir) {
        assertThat(run("run", "--config", dir.resolve("none.yaml").toString())).isEqualTo(RunCommand.EXIT_CONFIG);
        assertThat(err.toString()).contains("no such file; pass --config");
    }

    @Test
    void noSubcommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("isthmus run --config conf/gateway.yaml");
    }

    @Test
    void helpListsRun() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("run");
    }
}
