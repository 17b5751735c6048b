package dev.tributary.interop.smoke;

import dev.tributary.interop.Scenario;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/** Counts the records of `words` per key into `word-counts<output.suffix>` (string keys, long counts as text). */
public final class CountByKey implements Scenario {
  @Override
  public Topology build(Map<String, String> options) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream("words", Consumed.with(Serdes.String(), Serdes.String()))
        .groupByKey()
        .count()
        .toStream()
        .mapValues(String::valueOf)
        .to("word-counts" + options.getOrDefault("output.suffix", ""), Produced.with(Serdes.String(), Serdes.String()));
    return builder.build();
  }
}
