package dev.tributary.interop.differential.random;

import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.ValueJoiner;

/** The left table joined with the right table: option type (inner, left, outer). */
public final class TableTableJoin implements RandomCase {
  @Override
  public void addTo(StreamsBuilder builder, CaseParams p, String suffix) {
    KTable<String, String> left = builder.table(p.topic("left"), Text.CONSUMED);
    KTable<String, String> right = builder.table(p.topic("right"), Text.CONSUMED);
    ValueJoiner<String, String, String> joiner = (l, r) -> l + "+" + r;
    KTable<String, String> result = switch (p.text("type")) {
      case "inner" -> left.join(right, joiner);
      case "left" -> left.leftJoin(right, joiner);
      case "outer" -> left.outerJoin(right, joiner);
      default -> throw new IllegalArgumentException("join type " + p.text("type"));
    };
    result.toStream().to(p.topic("out") + suffix, Text.PRODUCED);
  }
}
