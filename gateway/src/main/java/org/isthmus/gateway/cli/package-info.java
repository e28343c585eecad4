/**
 * The {@code isthmus} command line (picocli): {@code run}, {@code check-config}, {@code translate} and
 * {@code certs generate}, with the checks {@code check-config} makes.
 */
package org.isthmus.gateway.cli;
