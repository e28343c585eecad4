/**
 * The gateway's configuration file ({@code conf/gateway.yaml}): reading it, validating every value
 * with the YAML path of any problem, and the typed settings the rest of the gateway uses.
 */
package org.isthmus.gateway.config;
