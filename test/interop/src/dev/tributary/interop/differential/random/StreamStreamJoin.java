package dev.tributary.interop.differential.random;

import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.ValueJoiner;

/** Stream-stream join of left and right: options type (inner, left, outer), before, after, grace. */
public final class StreamStreamJoin implements RandomCase {
  @Override
  public void addTo(StreamsBuilder builder, CaseParams p, String suffix) {
    KStream<String, String> left = builder.stream(p.topic("left"), Text.CONSUMED);
    KStream<String, String> right = builder.stream(p.topic("right"), Text.CONSUMED);
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
}
