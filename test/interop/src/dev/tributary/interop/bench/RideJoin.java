package dev.tributary.interop.bench;

import dev.tributary.interop.Scenario;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.StreamJoined;

/**
 * The bench's ride-join scenario (bench/suite/scenarios/ride-join.ts): ride requests joined with
 * assignments by request id within 60 s (grace 5 s); option {@code variant} is inner or left.
 */
public final class RideJoin implements Scenario {
  @Override
  public Topology build(Map<String, String> options) {
    boolean left = "left".equals(options.getOrDefault("variant", "inner"));
    StreamsBuilder builder = new StreamsBuilder();
    Consumed<String, Object> consumed = Consumed.with(Serdes.String(), Json.VALUE);
    KStream<String, Object> requests = builder.stream("ride_requests", consumed);
    KStream<String, Object> assignments = builder.stream("ride_assignments", consumed);
    JoinWindows windows = JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(60_000), Duration.ofMillis(5_000));
    StreamJoined<String, Object, Object> stores = StreamJoined.with(Serdes.String(), Json.VALUE, Json.VALUE);
    KStream<String, Object> joined = left
        ? requests.leftJoin(assignments, RideJoin::match, windows, stores)
        : requests.join(assignments, RideJoin::match, windows, stores);
    joined.to("bench_ride_matches", Produced.with(Serdes.String(), Json.VALUE));
    return builder.build();
  }

  /** A request with the driver that took it (nulls when none did in time). */
  static Object match(Object requestValue, Object assignmentValue) {
    Map<String, Object> request = Json.asObject(requestValue);
    Map<String, Object> out = Json.object();
    out.put("requestId", request.get("requestId"));
    out.put("riderId", request.get("riderId"));
    if (assignmentValue == null) {
      out.put("driverId", null);
      out.put("waitMs", null);
      out.put("etaSeconds", null);
    } else {
      Map<String, Object> assignment = Json.asObject(assignmentValue);
      out.put("driverId", assignment.get("driverId"));
      out.put("waitMs", Json.asLong(assignment.get("ts")) - Json.asLong(request.get("ts")));
      out.put("etaSeconds", assignment.get("etaSeconds"));
    }
    return out;
  }
}
