package dev.tributary.interop.differential.bundled;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.interop.Scenario;
import dev.tributary.interop.differential.bundled.serde.EventTime;
import dev.tributary.interop.differential.bundled.serde.JsonSerde;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * topologies/ride-matching in Kafka Streams: pings and requests merged, re-keyed by dispatch area
 * (one area, the whole city) through one repartition topic, answered by the dispatcher processor.
 */
public final class RideMatching implements Scenario {
  private static final String AREA = "city";

  @Override
  public Topology build(Map<String, String> options) {
    String suffix = options.getOrDefault("output.suffix", "");
    Serde<JsonNode> json = JsonSerde.json();
    StreamsBuilder builder = new StreamsBuilder();
    for (String store : new String[] {"ride-matching-drivers", "ride-matching-cells", "ride-matching-requests"}) {
      builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(), json));
    }

    // Requests first, as the bundled topology declares them.
    KStream<String, JsonNode> requests = builder
        .stream("ride_requests", Consumed.with(Serdes.String(), json).withTimestampExtractor(EventTime.ofValueTsOrRecord()))
        .filter((id, r) -> r != null && isPosition(r.get("pickupLat").asDouble(), r.get("pickupLng").asDouble()), Named.as("ride-matching-valid-requests"))
        .mapValues(r -> event("request", r), Named.as("ride-matching-request-events"));
    KStream<String, JsonNode> pings = builder
        .stream("vehicle_locations", Consumed.with(Serdes.String(), json).withTimestampExtractor(EventTime.ofValueTsOrRecord()))
        .filter((id, p) -> p != null && isPosition(p.get("lat").asDouble(), p.get("lng").asDouble()), Named.as("ride-matching-valid-pings"))
        .mapValues(p -> event("ping", p), Named.as("ride-matching-ping-events"));

    pings
        .merge(requests, Named.as("ride-matching-events"))
        .selectKey((key, event) -> AREA, Named.as("ride-matching-area"))
        .repartition(Repartitioned.<String, JsonNode>as("ride-matching-dispatch").withKeySerde(Serdes.String()).withValueSerde(json))
        .process(Dispatcher::new, Named.as("ride-matching-dispatcher"), "ride-matching-drivers", "ride-matching-cells", "ride-matching-requests")
        .split(Named.as("ride-matching-outcome"))
        .branch((id, outcome) -> outcome.get("kind").asText().equals("assigned"), Branched.withConsumer(assigned -> assigned
            .mapValues(outcome -> outcome.get("assignment"), Named.as("ride-matching-assignments"))
            .to("ride_assignments" + suffix, Produced.<String, JsonNode>with(Serdes.String(), json).withName("ride-matching-assignments-sink"))))
        .branch((id, outcome) -> outcome.get("kind").asText().equals("unmatched"), Branched.withConsumer(unmatched -> unmatched
            .mapValues(outcome -> outcome.get("unmatched"), Named.as("ride-matching-unmatched"))
            .to("unmatched_ride_requests" + suffix, Produced.<String, JsonNode>with(Serdes.String(), json).withName("ride-matching-unmatched-sink"))))
        .noDefaultBranch();
    return builder.build();
  }

  private static JsonNode event(String kind, JsonNode value) {
    ObjectNode event = JsonSerde.MAPPER.createObjectNode();
    event.put("kind", kind);
    event.set(kind, value);
    return event;
  }

  private static boolean isPosition(double lat, double lng) {
    return Double.isFinite(lat) && Double.isFinite(lng) && Math.abs(lat) <= 90 && Math.abs(lng) <= 180;
  }
}
