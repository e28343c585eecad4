/**
 * Classes JAIN-SIP instantiates by name from its stack properties: the SLF4J loggers that replace its
 * log4j dependency, and the router that sends a request to the hop the edge chose. They are public
 * only because the stack creates them by reflection; they are not part of the module's API.
 */
package org.isthmus.sip.stack;
