/**
 * Message routing between the edges: each inbound message is translated through the CPIM layer and
 * handed to the other edge, and its outcome (a SIP final response, an XMPP error) travels back to the
 * sender.
 */
package org.isthmus.gateway.routing;
