package org.isthmus.gateway.admin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * One answer of the admin API.
 *
 * @param status      the HTTP status code
 * @param contentType the media type of {@code body}
 * @param body        the body, as text (UTF-8 on the wire)
 * @param headers     further response headers, such as {@code Allow} or {@code WWW-Authenticate}
 */
public record AdminResponse(int status, String contentType, String body, Map<String, String> headers) {

    /** JSON has no charset parameter: it is UTF-8 (RFC 8259 §8.1, §11). */
    static final String JSON = "application/json";

    public AdminResponse {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        headers = Map.copyOf(headers);
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
    }

    /** A JSON answer. */
    public static AdminResponse json(int status, String json) {
        return new AdminResponse(status, JSON, json, Map.of());
    }

    /** A JSON error: {@code {"error": message}}. */
    public static AdminResponse error(int status, String message) {
        return json(status, "{\"error\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(message)) + "\"}");
    }

    /** A copy with one more header. */
    public AdminResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new AdminResponse(status, contentType, body, more);
    }
}
