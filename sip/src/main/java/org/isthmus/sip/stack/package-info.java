/**
 * Classes JAIN-SIP instantiates by name from its stack properties and parser table: the SLF4J loggers
 * that replace its log4j dependency, the router that sends a request to the hop the edge chose, and a
 * header parser guarded against input JAIN-SIP's own cannot stop on. They are public only because the
 * stack creates them by reflection; they are not part of the module's API.
 */
package org.isthmus.sip.stack;
