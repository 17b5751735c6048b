package dev.tributary.interop.differential.random;

import org.apache.kafka.streams.StreamsBuilder;

/**
 * One topology of the differential suite, added to a shared builder under its own topic prefix
 * (inputs {@code <prefix>-in}, or {@code <prefix>-left} and {@code <prefix>-right}; output
 * {@code <prefix>-out<suffix>}). Its twin in TypeScript is test/interop/differential/scenarios.
 */
public interface RandomCase {
  void addTo(StreamsBuilder builder, CaseParams params, String outputSuffix);
}
