/**
 * JMH micro-benchmarks of Isthmus's hot paths. Build with {@code mvn -B -pl bench -am package -DskipTests},
 * run with {@code java -jar bench/target/benchmarks.jar}; see bench/README.md for the figures.
 */
package org.isthmus.bench;
