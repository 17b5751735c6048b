package dev.tributary.interop.differential.random;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;

/**
 * Tumbling or hopping windowed aggregate (the values in the order they were added): options size,
 * advance, grace, and suppress ({@code true}: only each window's final result, once it closes).
 */
public final class WindowedAggregate implements RandomCase {
  @Override
  public void addTo(StreamsBuilder builder, CaseParams p, String suffix) {
    var table = builder.stream(p.topic("in"), Text.CONSUMED)
        .groupByKey(Text.GROUPED)
        .windowedBy(TimeWindows.ofSizeAndGrace(p.millis("size"), p.millis("grace")).advanceBy(p.millis("advance")))
        .aggregate(() -> "i", (key, value, aggregate) -> aggregate + "," + value, Materialized.with(Text.SERDE, Text.SERDE));
    if (Boolean.parseBoolean(p.text("suppress"))) table = table.suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()));
    table.toStream()
        .map((key, aggregate) -> KeyValue.pair(Text.windowed(key), aggregate))
        .to(p.topic("out") + suffix, Text.PRODUCED);
  }
}
