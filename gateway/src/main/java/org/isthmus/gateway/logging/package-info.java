/**
 * Log output: the JSON encoder for log collectors, and the start-up switch to it that
 * {@code logging.format: json} asks for.
 */
package org.isthmus.gateway.logging;
