package dev.tributary.interop.differential.bundled;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.interop.Scenario;
import dev.tributary.interop.differential.bundled.serde.EventTime;
import dev.tributary.interop.differential.bundled.serde.JsonSerde;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.WindowedSerdes;
import org.apache.kafka.streams.state.WindowStore;

/**
 * topologies/surge-pricing in Kafka Streams: distinct request ids and distinct available drivers
 * per zone and 1-minute window (10 s grace), outer-joined, suppressed until the window closes.
 */
public final class SurgePricing implements Scenario {
  private static final Duration WINDOW = Duration.ofMinutes(1);

  @Override
  public Topology build(Map<String, String> options) {
    String suffix = options.getOrDefault("output.suffix", "");
    Serde<JsonNode> json = JsonSerde.json();
    StreamsBuilder builder = new StreamsBuilder();
    KStream<String, JsonNode> requests = builder.stream("ride_requests", Consumed.with(Serdes.String(), json).withTimestampExtractor(EventTime.ofValueTs()));
    KStream<String, JsonNode> pings = builder.stream("vehicle_locations", Consumed.with(Serdes.String(), json).withTimestampExtractor(EventTime.ofValueTs()));

    TimeWindows windows = TimeWindows.ofSizeAndGrace(WINDOW, Duration.ofSeconds(10));
    KTable<Windowed<String>, JsonNode> demand = requests
        .map((requestId, r) -> KeyValue.pair(Geo.cellOf(r.get("pickupLat").asDouble(), r.get("pickupLng").asDouble()), requestId))
        .groupByKey(Grouped.with("surge-demand-by-zone", Serdes.String(), Serdes.String()))
        .windowedBy(windows)
        .aggregate(SurgePricing::noIds, (cell, id, seen) -> withId(seen, id),
            Materialized.<String, JsonNode, WindowStore<Bytes, byte[]>>as("surge-demand-windows").withValueSerde(json));
    KTable<Windowed<String>, JsonNode> supply = pings
        .filter((driverId, ping) -> ping.get("riderId").isNull())
        .map((driverId, ping) -> KeyValue.pair(Geo.cellOf(ping.get("lat").asDouble(), ping.get("lng").asDouble()), ping.get("driverId").asText()))
        .groupByKey(Grouped.with("surge-supply-by-zone", Serdes.String(), Serdes.String()))
        .windowedBy(windows)
        .aggregate(SurgePricing::noIds, (cell, id, seen) -> withId(seen, id),
            Materialized.<String, JsonNode, WindowStore<Bytes, byte[]>>as("surge-supply-windows").withValueSerde(json));

    demand
        // The join's serdes, for the suppression buffer: Kafka Streams does not carry the windowed key serde through a join.
        .outerJoin(supply, SurgePricing::demandAgainstSupply, Named.as("surge-demand-supply"),
            Materialized.with(new WindowedSerdes.TimeWindowedSerde<>(Serdes.String(), WINDOW.toMillis()), json))
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("surge-final-per-window"))
        .toStream()
        .map((window, totals) -> KeyValue.pair(window.key(), surgePrice(window, totals)))
        .to("surge_pricing" + suffix, Produced.with(Serdes.String(), json));
    return builder.build();
  }

  private static JsonNode noIds() {
    return JsonSerde.MAPPER.createArrayNode();
  }

  /** The ids, sorted by UTF-16 code units as JavaScript's `<` compares strings, with `id` added once. */
  static JsonNode withId(JsonNode seen, String id) {
    ArrayNode ids = JsonSerde.MAPPER.createArrayNode();
    boolean added = false;
    for (JsonNode existing : seen) {
      int order = existing.asText().compareTo(id);
      if (order == 0) return seen;
      if (order > 0 && !added) {
        ids.add(id);
        added = true;
      }
      ids.add(existing);
    }
    if (!added) ids.add(id);
    return ids;
  }

  private static JsonNode demandAgainstSupply(JsonNode requests, JsonNode drivers) {
    ObjectNode both = JsonSerde.MAPPER.createObjectNode();
    both.set("requests", requests == null ? noIds() : requests);
    both.set("availableDrivers", drivers == null ? noIds() : drivers);
    return both;
  }

  private static JsonNode surgePrice(Windowed<String> window, JsonNode totals) {
    int demand = totals.get("requests").size();
    int supply = totals.get("availableDrivers").size();
    ObjectNode price = JsonSerde.MAPPER.createObjectNode();
    price.put("cell", window.key());
    price.put("windowStart", window.window().start());
    price.put("windowEnd", window.window().end());
    price.put("demand", demand);
    price.put("supply", supply);
    price.put("multiplier", Geo.surgeMultiplier(demand, supply));
    return price;
  }
}
