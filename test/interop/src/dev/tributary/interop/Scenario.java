package dev.tributary.interop;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.Topology;

/**
 * One Kafka Streams application the interop runs start: the same topology as a Tributary one,
 * written with Kafka Streams' DSL. Implementations have a public no-argument constructor and are
 * named to KafkaStreamsRunner by class name (relative to this package, e.g. "differential.FleetMap").
 */
public interface Scenario {
  /**
   * The topology. {@code options} holds the runner's {@code key=value} arguments (for instance
   * {@code output.suffix}, appended to every output topic so both applications can share a broker,
   * or {@code registry.url}).
   */
  Topology build(Map<String, String> options);

  /** Settings beyond the runner's defaults (one stream thread, no record cache, 100 ms commits). */
  default void configure(Properties properties, Map<String, String> options) {}
}
