package org.isthmus.gateway.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * A YAML mapping being read, with its path. Every accessor records a {@link ConfigProblem} instead of
 * throwing, so one pass reports all mistakes in the file, each with its path, the value and the fix.
 */
final class ConfigNode {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)");
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private final JsonNode node;
    private final String path;
    private final List<ConfigProblem> problems;
    private final Function<String, String> environment;

    ConfigNode(JsonNode node, String path, List<ConfigProblem> problems, Function<String, String> environment) {
        this.node = node == null ? MissingNode.getInstance() : node;
        this.path = path;
        this.problems = problems;
        this.environment = environment;
    }

    String path() {
        return path;
    }

    boolean isMissing() {
        return node.isMissingNode() || node.isNull();
    }

    /** Whether {@code key} is present with a value other than null, whatever its kind. */
    boolean has(String key) {
        JsonNode child = node.path(key);
        return !child.isMissingNode() && !child.isNull();
    }

    private String at(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    void problem(String key, String value, String message) {
        problems.add(new ConfigProblem(key == null ? path : at(key), value, message));
    }

    /** Records a problem for every key not in {@code allowed} (a misspelt key must not be ignored). */
    void allowOnly(String... allowed) {
        if (!node.isObject()) {
            return;
        }
        Set<String> ok = Set.of(allowed);
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!ok.contains(n)) {
                problem(n, "", "unknown key; allowed here: " + String.join(", ", new TreeSet<>(ok)));
            }
        }
    }

    /** Whether {@code key} holds a mapping (rather than a single value or a list). */
    boolean isMapping(String key) {
        return node.path(key).isObject();
    }

    /** A nested mapping; a missing one reads as empty so its defaults apply. */
    ConfigNode object(String key) {
        JsonNode child = node.path(key);
        if (!child.isMissingNode() && !child.isNull() && !child.isObject()) {
            problem(key, child.asText(), "must be a mapping of keys to values");
            return new ConfigNode(MissingNode.getInstance(), at(key), problems, environment);
        }
        return new ConfigNode(child, at(key), problems, environment);
    }

    /** The items of a list of mappings; a missing list is empty. */
    List<ConfigNode> objects(String key) {
        JsonNode child = node.path(key);
        List<ConfigNode> out = new ArrayList<>();
        if (child.isMissingNode() || child.isNull()) {
            return out;
        }
        if (!child.isArray()) {
            problem(key, child.asText(), "must be a list");
            return out;
        }
        for (int i = 0; i < child.size(); i++) {
            JsonNode item = child.get(i);
            String itemPath = at(key) + "[" + i + "]";
            if (!item.isObject()) {
                problems.add(new ConfigProblem(itemPath, item.asText(), "must be a mapping of keys to values"));
                continue;
            }
            out.add(new ConfigNode(item, itemPath, problems, environment));
        }
        return out;
    }

    /** A required string; {@code ${VAR}} and {@code ${VAR:-default}} take the value from the environment. */
    Optional<String> requiredText(String key, String hint) {
        Optional<String> v = text(key);
        if (v.isEmpty() && !hasProblemAt(at(key))) {
            problem(key, "", "is required; " + hint);
        }
        return v;
    }

    String text(String key, String fallback) {
        return text(key).orElse(fallback);
    }

    Optional<String> text(String key) {
        JsonNode v = node.path(key);
        if (v.isMissingNode() || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isValueNode() || v.isBinary()) {
            problem(key, "", "must be a single value, not a list or mapping");
            return Optional.empty();
        }
        return expand(at(key), v.asText().strip());
    }

    /** A value with {@code ${VAR}} or {@code ${VAR:-default}} taken from the environment; non-empty. */
    private Optional<String> expand(String where, String raw) {
        String value = raw;
        Matcher m = ENV.matcher(raw);
        if (m.matches()) {
            value = environment.apply(m.group(1));
            if (value == null || value.isEmpty()) {
                value = m.group(2);
            }
            if (value == null) {
                problems.add(new ConfigProblem(where, raw, "environment variable " + m.group(1)
                        + " is not set; set it or give a default as ${" + m.group(1) + ":-value}"));
                return Optional.empty();
            }
        }
        if (value.isEmpty()) {
            problems.add(new ConfigProblem(where, "", "must not be empty"));
            return Optional.empty();
        }
        return Optional.of(value);
    }

    int integer(String key, int fallback, int min, int max) {
        Optional<String> t = text(key);
        if (t.isEmpty()) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(t.get());
            if (v < min || v > max) {
                problem(key, t.get(), "out of range; allowed: " + min + " to " + max);
                return fallback;
            }
            return v;
        } catch (NumberFormatException e) {
            problem(key, t.get(), "must be a whole number from " + min + " to " + max);
            return fallback;
        }
    }

    /** A duration written as a number with a unit: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}. */
    Duration duration(String key, Duration fallback, Duration min, Duration max) {
        Optional<String> t = text(key);
        if (t.isEmpty()) {
            return fallback;
        }
        Matcher m = DURATION.matcher(t.get());
        if (!m.matches()) {
            problem(key, t.get(), "must be a duration such as 250ms, 5s, 2m or 1h");
            return fallback;
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            problem(key, t.get(), "out of range; allowed: " + format(min) + " to " + format(max));
            return fallback;
        }
        return d;
    }

    boolean bool(String key, boolean fallback) {
        Optional<String> t = text(key);
        if (t.isEmpty()) {
            return fallback;
        }
        return switch (t.get().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> {
                problem(key, t.get(), "must be true or false");
                yield fallback;
            }
        };
    }

    /** A path to a file that must exist and be readable now, so a typo fails at start, not at first use. */
    Optional<java.nio.file.Path> readableFile(String key, boolean required, String what) {
        Optional<String> t = required ? requiredText(key, what) : text(key);
        if (t.isEmpty()) {
            return Optional.empty();
        }
        java.nio.file.Path path = java.nio.file.Path.of(t.get());
        if (!java.nio.file.Files.isRegularFile(path) || !java.nio.file.Files.isReadable(path)) {
            problem(key, t.get(), "no readable file there; give the path of " + what);
            return Optional.empty();
        }
        return Optional.of(path);
    }

    /** A list of strings; a single string is taken as a list of one. */
    List<String> texts(String key) {
        JsonNode v = node.path(key);
        List<String> out = new ArrayList<>();
        if (v.isMissingNode() || v.isNull()) {
            return out;
        }
        if (v.isValueNode()) {
            text(key).ifPresent(out::add);
            return out;
        }
        if (!v.isArray()) {
            problem(key, "", "must be a list of values");
            return out;
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            if (!item.isValueNode() || item.isNull() || item.asText().isBlank()) {
                problems.add(new ConfigProblem(at(key) + "[" + i + "]", item.toString(), "must be a non-empty value"));
            } else {
                expand(at(key) + "[" + i + "]", item.asText().strip()).ifPresent(out::add);
            }
        }
        return out;
    }

    /** A value from a fixed set, case-insensitive, returned in lower case. */
    String choice(String key, String fallback, Set<String> allowed) {
        Optional<String> t = text(key);
        if (t.isEmpty()) {
            return fallback;
        }
        String v = t.get().toLowerCase(java.util.Locale.ROOT);
        if (!allowed.contains(v)) {
            problem(key, t.get(), "allowed: " + String.join(", ", new TreeSet<>(allowed)));
            return fallback;
        }
        return v;
    }

    private boolean hasProblemAt(String p) {
        return problems.stream().anyMatch(pr -> pr.path().equals(p));
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
