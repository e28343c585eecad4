/**
 * The documents the gateway reads and writes, one package per format (Message/CPIM, PIDF, IMDN), and
 * the hardened XML input configuration and character decoding their parsers share.
 */
package org.isthmus.mapping.document;
