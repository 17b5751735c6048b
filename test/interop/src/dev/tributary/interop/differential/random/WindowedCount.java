package dev.tributary.interop.differential.random;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.TimeWindows;

/** Tumbling or hopping windowed count: options size, advance, grace. */
public final class WindowedCount implements RandomCase {
  @Override
  public void addTo(StreamsBuilder builder, CaseParams p, String suffix) {
    builder.stream(p.topic("in"), Text.CONSUMED)
        .groupByKey(Text.GROUPED)
        .windowedBy(TimeWindows.ofSizeAndGrace(p.millis("size"), p.millis("grace")).advanceBy(p.millis("advance")))
        .count()
        .toStream()
        .map((key, count) -> KeyValue.pair(Text.windowed(key), Text.of(count)))
        .to(p.topic("out") + suffix, Text.PRODUCED);
  }
}
