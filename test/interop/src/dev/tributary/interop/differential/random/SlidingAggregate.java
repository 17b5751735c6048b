package dev.tributary.interop.differential.random;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.SlidingWindows;

/** Sliding windowed aggregate (values in the order they were added): options difference, grace. */
public final class SlidingAggregate implements RandomCase {
  @Override
  public void addTo(StreamsBuilder builder, CaseParams p, String suffix) {
    builder.stream(p.topic("in"), Text.CONSUMED)
        .groupByKey(Text.GROUPED)
        .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(p.millis("difference"), p.millis("grace")))
        .aggregate(() -> "i", (key, value, aggregate) -> aggregate + "," + value, Materialized.with(Text.SERDE, Text.SERDE))
        .toStream()
        .map((key, aggregate) -> KeyValue.pair(Text.windowed(key), aggregate))
        .to(p.topic("out") + suffix, Text.PRODUCED);
  }
}
