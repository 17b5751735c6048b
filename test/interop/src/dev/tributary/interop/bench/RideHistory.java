package dev.tributary.interop.bench;

import dev.tributary.interop.Scenario;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
 * The bench's ride-history scenario (topologies/ride-history): pings with a rider re-keyed by
 * driver and rider, aggregated into rides by 2-minute inactivity sessions (grace 10 s), suppressed
 * until a session closes, re-keyed by start zone, priced with that zone's recent surge windows (a
 * table aggregated from surge_pricing) and written keyed by ride id.
 */
public final class RideHistory implements Scenario {
  static final long GAP_MS = 120_000;
  static final long GRACE_MS = 10_000;
  static final long SURGE_HISTORY_MS = 3_600_000;

  @Override
  public Topology build(Map<String, String> options) {
    StreamsBuilder builder = new StreamsBuilder();
    KTable<String, Object> surgeByZone = builder.stream("surge_pricing", Consumed.with(Serdes.String(), Json.VALUE))
        .groupByKey(Grouped.with(Serdes.String(), Json.VALUE))
        .aggregate(RideHistory::emptySurgeHistory, (cell, surge, history) -> recordSurge(Json.asObject(history), Json.asObject(surge)),
            Materialized.<String, Object, KeyValueStore<Bytes, byte[]>>as("ride-history-surge-by-zone").withKeySerde(Serdes.String()).withValueSerde(Json.VALUE));

    builder.stream("vehicle_locations", Consumed.with(Serdes.String(), Json.VALUE).withTimestampExtractor(Json.VALUE_TS))
        .filter((driverId, ping) -> Json.asObject(ping).get("riderId") != null)
        .groupBy((driverId, value) -> {
          Map<String, Object> ping = Json.asObject(value);
          return ping.get("driverId") + ":" + ping.get("riderId");
        }, Grouped.with("ride-history-pings-by-ride", Serdes.String(), Json.VALUE))
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(GAP_MS), Duration.ofMillis(GRACE_MS)))
        .aggregate(Trip::new, (ride, ping, trip) -> Trip.addPing(trip, Json.asObject(ping), GRACE_MS), (ride, a, b) -> Trip.merge(a, b),
            Materialized.<String, Trip, SessionStore<Bytes, byte[]>>as("ride-history-trips").withKeySerde(Serdes.String()).withValueSerde(Trip.SERDE))
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
        .toStream()
        // A session merged into a longer one leaves a tombstone behind: no ride.
        .filter((session, trip) -> trip != null)
        .map((session, trip) -> KeyValue.pair(Zones.cellOf(trip.start.lat, trip.start.lng), trip))
        .leftJoin(surgeByZone, RideHistory::priceRide, Joined.<String, Trip, Object>with(Serdes.String(), Trip.SERDE, Json.VALUE).withName("ride-history-price"))
        .selectKey((cell, ride) -> (String) Json.asObject(ride).get("rideId"))
        .to("rides", Produced.with(Serdes.String(), Json.VALUE));
    return builder.build();
  }

  static Object emptySurgeHistory() {
    Map<String, Object> history = Json.object();
    history.put("windows", new ArrayList<>());
    return history;
  }

  /** One published window recorded (replacing a re-published one), windows older than an hour forgotten. */
  static Object recordSurge(Map<String, Object> history, Map<String, Object> surge) {
    long start = Json.asLong(surge.get("windowStart"));
    long end = Json.asLong(surge.get("windowEnd"));
    List<Object> old = Json.asList(history.get("windows"));
    long newestEnd = Math.max(end, old.isEmpty() ? end : Json.asLong(Json.asObject(old.get(old.size() - 1)).get("end")));
    List<Object> windows = new ArrayList<>();
    for (Object w : old) {
      Map<String, Object> window = Json.asObject(w);
      if (Json.asLong(window.get("start")) != start && Json.asLong(window.get("end")) > newestEnd - SURGE_HISTORY_MS) windows.add(window);
    }
    if (end > newestEnd - SURGE_HISTORY_MS) {
      Map<String, Object> window = Json.object();
      window.put("start", start);
      window.put("end", end);
      window.put("multiplier", surge.get("multiplier"));
      windows.add(window);
    }
    windows.sort(Comparator.comparingLong(w -> Json.asLong(Json.asObject(w).get("start"))));
    Map<String, Object> out = Json.object();
    out.put("windows", windows);
    return out;
  }

  static double surgeAt(Object history, long ts) {
    if (history == null) return 1;
    for (Object w : Json.asList(Json.asObject(history).get("windows"))) {
      Map<String, Object> window = Json.asObject(w);
      if (Json.asLong(window.get("start")) <= ts && ts < Json.asLong(window.get("end"))) return Json.asDouble(window.get("multiplier"));
    }
    return 1;
  }

  /** priceRide: the tariff (base + per km + per minute, at least the minimum) times the start zone's surge. */
  static Object priceRide(Trip trip, Object surgeHistory) {
    Trip.Point stop = trip.stop();
    double distanceKm = trip.km();
    long durationMs = stop.ts - trip.start.ts;
    double surge = surgeAt(surgeHistory, trip.start.ts);
    double metered = 250 + 120 * distanceKm + 35 * (durationMs / 60_000.0);
    Map<String, Object> ride = Json.object();
    ride.put("rideId", trip.driverId + ":" + trip.riderId + ":" + trip.start.ts);
    ride.put("driverId", trip.driverId);
    ride.put("riderId", trip.riderId);
    ride.put("start", trip.start.toJson());
    ride.put("stop", stop.toJson());
    ride.put("durationMs", durationMs);
    ride.put("distanceKm", distanceKm);
    ride.put("surge", surge);
    ride.put("priceCents", Math.round(Math.max(metered, 700) * surge));
    return ride;
  }
}
