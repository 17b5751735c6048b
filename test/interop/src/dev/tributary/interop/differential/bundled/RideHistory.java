package dev.tributary.interop.differential.bundled;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.interop.Scenario;
import dev.tributary.interop.differential.bundled.serde.EventTime;
import dev.tributary.interop.differential.bundled.serde.JsonSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.SessionStore;

/**
 * topologies/ride-history in Kafka Streams: pings with a rider, per driver and rider, in session
 * windows (2 min gap, 10 s grace), suppressed until the session closes, re-keyed by start zone and
 * priced with that zone's surge table.
 */
public final class RideHistory implements Scenario {
  static final long GRACE_MS = 10_000;
  /** SURGE_HISTORY_MS of pricing.ts: a zone keeps an hour of surge windows. */
  static final long SURGE_HISTORY_MS = 60 * 60_000;

  @Override
  public Topology build(Map<String, String> options) {
    String suffix = options.getOrDefault("output.suffix", "");
    Serde<JsonNode> json = JsonSerde.json();
    StreamsBuilder builder = new StreamsBuilder();

    KTable<String, JsonNode> surgeByZone = builder.stream("surge_pricing", Consumed.with(Serdes.String(), json))
        .groupByKey(Grouped.with(Serdes.String(), json))
        .aggregate(RideHistory::emptySurgeHistory, (cell, surge, history) -> recordSurge(history, surge),
            Materialized.<String, JsonNode, KeyValueStore<Bytes, byte[]>>as("ride-history-surge-by-zone").withValueSerde(json));

    builder.stream("vehicle_locations", Consumed.with(Serdes.String(), json).withTimestampExtractor(EventTime.ofValueTs()))
        .filter((driverId, ping) -> !ping.get("riderId").isNull())
        .groupBy((driverId, ping) -> ping.get("driverId").asText() + ":" + ping.get("riderId").asText(),
            Grouped.with("ride-history-pings-by-ride", Serdes.String(), json))
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMinutes(2), Duration.ofMillis(GRACE_MS)))
        .aggregate(() -> Trip.initial().toJson(),
            (ride, ping, trip) -> Trip.of(trip).addPing(ping, GRACE_MS).toJson(),
            (ride, a, b) -> Trip.merge(Trip.of(a), Trip.of(b)).toJson(),
            Materialized.<String, JsonNode, SessionStore<Bytes, byte[]>>as("ride-history-trips").withValueSerde(json))
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
        .toStream()
        .map((session, trip) -> KeyValue.pair(startCell(Trip.of(trip)), trip))
        .leftJoin(surgeByZone, (trip, history) -> priceRide(Trip.of(trip), history),
            Joined.<String, JsonNode, JsonNode>with(Serdes.String(), json, json).withName("ride-history-price"))
        .selectKey((cell, ride) -> ride.get("rideId").asText())
        .to("rides" + suffix, Produced.with(Serdes.String(), json));
    return builder.build();
  }

  private static JsonNode emptySurgeHistory() {
    ObjectNode history = JsonSerde.MAPPER.createObjectNode();
    history.putArray("windows");
    return history;
  }

  /** pricing.ts recordSurge: replaces a re-published window, forgets windows older than an hour, keeps them by start. */
  static JsonNode recordSurge(JsonNode history, JsonNode surge) {
    long start = surge.get("windowStart").asLong();
    long end = surge.get("windowEnd").asLong();
    JsonNode windows = history.get("windows");
    long newestEnd = Math.max(end, windows.size() == 0 ? end : windows.get(windows.size() - 1).get("end").asLong());
    List<JsonNode> kept = new ArrayList<>();
    for (JsonNode w : windows) if (w.get("start").asLong() != start && w.get("end").asLong() > newestEnd - SURGE_HISTORY_MS) kept.add(w);
    if (end > newestEnd - SURGE_HISTORY_MS) {
      kept.add(JsonSerde.MAPPER.createObjectNode().put("start", start).put("end", end).set("multiplier", surge.get("multiplier")));
    }
    kept.sort((a, b) -> Long.compare(a.get("start").asLong(), b.get("start").asLong()));
    ObjectNode next = JsonSerde.MAPPER.createObjectNode();
    ArrayNode list = next.putArray("windows");
    kept.forEach(list::add);
    return next;
  }

  static double surgeAt(JsonNode history, long ts) {
    if (history == null) return 1;
    for (JsonNode w : history.get("windows")) if (w.get("start").asLong() <= ts && ts < w.get("end").asLong()) return w.get("multiplier").asDouble();
    return 1;
  }

  static String startCell(Trip trip) {
    return Geo.cellOf(trip.start().lat(), trip.start().lng());
  }

  static JsonNode priceRide(Trip trip, JsonNode history) {
    Trip.Point stop = trip.stop();
    double distanceKm = trip.km();
    long durationMs = stop.ts() - trip.start().ts();
    double surge = surgeAt(history, trip.start().ts());
    ObjectNode ride = JsonSerde.MAPPER.createObjectNode();
    ride.put("rideId", trip.driverId() + ":" + trip.riderId() + ":" + trip.start().ts());
    ride.put("driverId", trip.driverId());
    ride.put("riderId", trip.riderId());
    ride.set("start", trip.start().toJson());
    ride.set("stop", stop.toJson());
    ride.put("durationMs", durationMs);
    ride.put("distanceKm", distanceKm);
    ride.put("surge", surge);
    ride.put("priceCents", Geo.fareCents(distanceKm, durationMs, surge));
    return ride;
  }
}
