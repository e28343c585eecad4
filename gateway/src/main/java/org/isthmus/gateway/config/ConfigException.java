package org.isthmus.gateway.config;

import java.util.List;
import java.util.stream.Collectors;

/** The configuration could not be used; carries every problem found, each with its YAML path. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;

    public ConfigException(String source, List<ConfigProblem> problems) {
        super(source + ": " + problems.size() + " problem(s):\n  "
                + problems.stream().map(ConfigProblem::describe).collect(Collectors.joining("\n  ")));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
