package dev.tributary.interop.differential.random;

import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.ValueJoiner;

/**
 * Stream-stream join of two sides read from ONE topic {@code <prefix>-in}: a value {@code L:x} is
 * x on the left, {@code R:x} x on the right, a bare {@code L} or {@code R} a null value on that
 * side. Across two topics, which of two records with equal timestamps a task takes first is not
 * part of Kafka Streams' contract; within one partition it is the offset order, so a test written
 * as a sequence of pipeInput calls keeps its order. Options type (inner, left, outer), before,
 * after, grace.
 */
public final class SplitStreamJoin implements RandomCase {
  @Override
  public void addTo(StreamsBuilder builder, CaseParams p, String suffix) {
    KStream<String, String> in = builder.stream(p.topic("in"), Text.CONSUMED);
    KStream<String, String> left = side(in, 'L');
    KStream<String, String> right = side(in, 'R');
    JoinWindows windows = JoinWindows.ofTimeDifferenceAndGrace(p.millis("after"), p.millis("grace")).before(p.millis("before")).after(p.millis("after"));
    ValueJoiner<String, String, String> joiner = (l, r) -> l + "+" + r;
    StreamJoined<String, String, String> joined = StreamJoined.with(Text.SERDE, Text.SERDE, Text.SERDE);
    KStream<String, String> result = switch (p.text("type")) {
      case "inner" -> left.join(right, joiner, windows, joined);
      case "left" -> left.leftJoin(right, joiner, windows, joined);
      case "outer" -> left.outerJoin(right, joiner, windows, joined);
      default -> throw new IllegalArgumentException("join type " + p.text("type"));
    };
    result.to(p.topic("out") + suffix, Text.PRODUCED);
  }

  private static KStream<String, String> side(KStream<String, String> in, char side) {
    return in.filter((key, value) -> value != null && !value.isEmpty() && value.charAt(0) == side)
        .mapValues(value -> value.length() == 1 ? null : value.substring(2));
  }
}
