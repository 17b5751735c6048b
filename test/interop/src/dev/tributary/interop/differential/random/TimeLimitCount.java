package dev.tributary.interop.differential.random;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Suppressed;

/**
 * A count suppressed until a time limit (stream time, so the output depends on input alone):
 * option input {@code table} (the table regrouped by its value, through a repartition topic) or
 * {@code stream} (counted per key); options limit and maxRecords (0: unbounded).
 */
public final class TimeLimitCount implements RandomCase {
  @Override
  public void addTo(StreamsBuilder builder, CaseParams p, String suffix) {
    KTable<String, Long> counts = switch (p.text("input")) {
      case "table" -> builder.table(p.topic("in"), Text.CONSUMED).groupBy((key, value) -> KeyValue.pair(value, key), Text.GROUPED).count();
      case "stream" -> builder.stream(p.topic("in"), Text.CONSUMED).groupByKey(Text.GROUPED).count();
      default -> throw new IllegalArgumentException("input " + p.text("input"));
    };
    long maxRecords = Long.parseLong(p.text("maxRecords"));
    Suppressed.BufferConfig<?> buffer = maxRecords == 0 ? Suppressed.BufferConfig.unbounded() : Suppressed.BufferConfig.maxRecords(maxRecords).emitEarlyWhenFull();
    counts.suppress(Suppressed.untilTimeLimit(p.millis("limit"), buffer))
        .toStream()
        .mapValues(Text::of)
        .to(p.topic("out") + suffix, Text.PRODUCED);
  }
}
