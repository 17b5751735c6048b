package dev.tributary.interop.differential.random;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.Suppressed;

/** Session windowed aggregate (values in order; merged sessions joined with |): options gap, grace, suppress. */
public final class SessionAggregate implements RandomCase {
  @Override
  public void addTo(StreamsBuilder builder, CaseParams p, String suffix) {
    var table = builder.stream(p.topic("in"), Text.CONSUMED)
        .groupByKey(Text.GROUPED)
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(p.millis("gap"), p.millis("grace")))
        .aggregate(() -> "i", (key, value, aggregate) -> aggregate + "," + value, (key, a, b) -> a + "|" + b, Materialized.with(Text.SERDE, Text.SERDE));
    if (Boolean.parseBoolean(p.text("suppress"))) table = table.suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()));
    table.toStream()
        .map((key, aggregate) -> KeyValue.pair(Text.windowed(key), aggregate))
        .to(p.topic("out") + suffix, Text.PRODUCED);
  }
}
