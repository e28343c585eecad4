/**
 * Several Isthmus nodes on one shared store: membership by heartbeat, so that a node's presence
 * subscriptions are taken over when it dies (DESIGN.md, deployment 2).
 */
package org.isthmus.gateway.cluster;
