package dev.tributary.interop.differential.random;

import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;

/** groupByKey then option op: reduce (values joined with ,), aggregate (the same from "i"), or count. */
public final class GroupedAggregate implements RandomCase {
  @Override
  public void addTo(StreamsBuilder builder, CaseParams p, String suffix) {
    KGroupedStream<String, String> grouped = builder.stream(p.topic("in"), Text.CONSUMED).groupByKey(Text.GROUPED);
    KTable<String, String> result = switch (p.text("op")) {
      case "reduce" -> grouped.reduce((aggregate, value) -> aggregate + "," + value, Materialized.with(Text.SERDE, Text.SERDE));
      case "aggregate" -> grouped.aggregate(() -> "i", (key, value, aggregate) -> aggregate + "," + value, Materialized.with(Text.SERDE, Text.SERDE));
      case "count" -> grouped.count().mapValues(Text::of);
      default -> throw new IllegalArgumentException("op " + p.text("op"));
    };
    result.toStream().to(p.topic("out") + suffix, Text.PRODUCED);
  }
}
