/** The {@code isthmus} command line (picocli): {@code run}, with more subcommands to come. */
package org.isthmus.gateway.cli;
