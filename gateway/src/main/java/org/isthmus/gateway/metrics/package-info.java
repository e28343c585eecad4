/**
 * The gateway's Micrometer meters: their names, tags and buckets in one place, and the gauges that read
 * the gateway's state when scraped.
 */
package org.isthmus.gateway.metrics;
