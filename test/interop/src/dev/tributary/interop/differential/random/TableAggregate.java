package dev.tributary.interop.differential.random;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Materialized;

/**
 * A table regrouped by its value's number modulo option groups (through a repartition topic,
 * within the key's seed) and aggregated with an adder (+value) and a subtractor (-value).
 */
public final class TableAggregate implements RandomCase {
  @Override
  public void addTo(StreamsBuilder builder, CaseParams p, String suffix) {
    int groups = Integer.parseInt(p.text("groups"));
    builder.table(p.topic("in"), Text.CONSUMED)
        .groupBy((key, value) -> KeyValue.pair(Text.seedOf(key) + ".g" + (Integer.parseInt(value.substring(1)) % groups), value), Text.GROUPED)
        .aggregate(() -> "i", (key, value, aggregate) -> aggregate + "+" + value, (key, value, aggregate) -> aggregate + "-" + value, Materialized.with(Text.SERDE, Text.SERDE))
        .toStream()
        .to(p.topic("out") + suffix, Text.PRODUCED);
  }
}
