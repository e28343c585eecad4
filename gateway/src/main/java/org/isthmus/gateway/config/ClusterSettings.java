package org.isthmus.gateway.config;

import java.time.Duration;

/**
 * Several Isthmus nodes sharing one Redis store (DESIGN.md, deployment 2): each node announces itself
 * in the store every {@code heartbeat}; a node whose announcement is older than {@code takeoverAfter}
 * is taken for dead, and the others take over its presence subscriptions.
 *
 * @param nodeId        this node's name, unique among the nodes sharing the store
 * @param heartbeat     how often the node announces itself and looks for dead siblings
 * @param takeoverAfter how long a silent node is still taken for alive
 */
public record ClusterSettings(String nodeId, Duration heartbeat, Duration takeoverAfter) {
}
