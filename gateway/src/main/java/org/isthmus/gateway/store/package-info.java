/**
 * The gateway's durable state: one {@link org.isthmus.gateway.store.StateStore} contract (versioned
 * byte values under namespaced keys, compare-and-set, counters, expiry, paged prefix scans) with an
 * embedded implementation on H2's MVStore and a shared one on Redis (Lettuce; one server or a Redis
 * Cluster, same layout and logic), so a restarted node or a sibling node finds every subscription and
 * dialog (DESIGN.md "StateStore", issue 6 "State stores").
 */
package org.isthmus.gateway.store;
