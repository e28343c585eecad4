package org.isthmus.mapping.error;

import org.isthmus.mapping.MappingException;

/**
 * A SIP final response status (RFC 3261 §7.2, §21): code and reason phrase.
 *
 * @param code   300 to 699 for failures, 200 to 299 for success
 * @param reason the reason phrase
 */
public record SipStatus(int code, String reason) {
    public SipStatus {
        if (code < 100 || code > 699) {
            throw new MappingException("SIP status code out of range: " + code);
        }
        if (reason == null || reason.isBlank()) {
            reason = defaultReason(code);
        }
    }

    public static SipStatus of(int code) {
        return new SipStatus(code, defaultReason(code));
    }

    public boolean isSuccess() {
        return code >= 200 && code < 300;
    }

    /** The reason phrases of RFC 3261 §21 (and RFC 6665 for 489); "Unknown" for others. */
    public static String defaultReason(int code) {
        return switch (code) {
            case 200 -> "OK";
            case 202 -> "Accepted";
            case 301 -> "Moved Permanently";
            case 302 -> "Moved Temporarily";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 407 -> "Proxy Authentication Required";
            case 408 -> "Request Timeout";
            case 410 -> "Gone";
            case 413 -> "Request Entity Too Large";
            case 415 -> "Unsupported Media Type";
            case 416 -> "Unsupported URI Scheme";
            case 423 -> "Interval Too Brief";
            case 480 -> "Temporarily Unavailable";
            case 481 -> "Call/Transaction Does Not Exist";
            case 484 -> "Address Incomplete";
            case 486 -> "Busy Here";
            case 488 -> "Not Acceptable Here";
            case 489 -> "Bad Event";
            case 491 -> "Request Pending";
            case 500 -> "Server Internal Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Server Time-out";
            case 600 -> "Busy Everywhere";
            case 603 -> "Decline";
            case 604 -> "Does Not Exist Anywhere";
            case 606 -> "Not Acceptable";
            default -> "Unknown";
        };
    }
}
