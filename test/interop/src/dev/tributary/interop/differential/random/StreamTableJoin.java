package dev.tributary.interop.differential.random;

import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.ValueJoiner;

/** The left stream joined with the right table: option type (inner, left). */
public final class StreamTableJoin implements RandomCase {
  @Override
  public void addTo(StreamsBuilder builder, CaseParams p, String suffix) {
    KStream<String, String> left = builder.stream(p.topic("left"), Text.CONSUMED);
    KTable<String, String> right = builder.table(p.topic("right"), Text.CONSUMED);
    ValueJoiner<String, String, String> joiner = (l, r) -> l + "+" + r;
    Joined<String, String, String> joined = Joined.with(Text.SERDE, Text.SERDE, Text.SERDE);
    KStream<String, String> result = switch (p.text("type")) {
      case "inner" -> left.join(right, joiner, joined);
      case "left" -> left.leftJoin(right, joiner, joined);
      default -> throw new IllegalArgumentException("join type " + p.text("type"));
    };
    result.to(p.topic("out") + suffix, Text.PRODUCED);
  }
}
