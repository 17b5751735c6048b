package dev.tributary.interop.bench;

import dev.tributary.interop.Scenario;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
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
import org.apache.kafka.streams.state.WindowStore;

/**
 * The bench's surge-pricing scenario (topologies/surge-pricing): distinct request ids (demand) and
 * distinct available drivers (supply) per H3 zone and tumbling minute (grace 10 s), re-keyed by
 * zone through repartition topics, outer-joined per zone and window, suppressed until the window
 * closes, priced.
 */
public final class SurgePricing implements Scenario {
  static final long WINDOW_MS = 60_000;
  static final long GRACE_MS = 10_000;

  @Override
  public void configure(Properties properties, Map<String, String> options) {
    // The suppression after the join buffers the joined values with the default serde.
    properties.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Json.ValueSerde.class);
  }

  @Override
  public Topology build(Map<String, String> options) {
    StreamsBuilder builder = new StreamsBuilder();
    KStream<String, Object> requests = builder.stream("ride_requests", Consumed.with(Serdes.String(), Json.VALUE).withTimestampExtractor(Json.VALUE_TS));
    KStream<String, Object> pings = builder.stream("vehicle_locations", Consumed.with(Serdes.String(), Json.VALUE).withTimestampExtractor(Json.VALUE_TS));
    KTable<Windowed<String>, Object> demand = distinctIds("surge-demand-by-zone", "surge-demand-windows",
        requests.map((requestId, value) -> {
          Map<String, Object> r = Json.asObject(value);
          return KeyValue.pair(Zones.cellOf(Json.asDouble(r.get("pickupLat")), Json.asDouble(r.get("pickupLng"))), requestId);
        }));
    KTable<Windowed<String>, Object> supply = distinctIds("surge-supply-by-zone", "surge-supply-windows",
        pings.filter((driverId, ping) -> Json.asObject(ping).get("riderId") == null)
            .map((driverId, value) -> {
              Map<String, Object> ping = Json.asObject(value);
              return KeyValue.pair(Zones.cellOf(Json.asDouble(ping.get("lat")), Json.asDouble(ping.get("lng"))), (String) ping.get("driverId"));
            }));
    demand
        .outerJoin(supply, (requestIds, driverIds) -> {
          Map<String, Object> totals = Json.object();
          totals.put("requests", requestIds == null ? new ArrayList<>() : requestIds);
          totals.put("availableDrivers", driverIds == null ? new ArrayList<>() : driverIds);
          return (Object) totals;
        }, Named.as("surge-demand-supply"))
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("surge-final-per-window"))
        .toStream()
        .map((window, totals) -> KeyValue.pair(window.key(), surgePrice(window, Json.asObject(totals))))
        .to("surge_pricing", Produced.with(Serdes.String(), Json.VALUE));
    return builder.build();
  }

  private static KTable<Windowed<String>, Object> distinctIds(String repartition, String store, KStream<String, String> byZone) {
    return byZone
        .groupByKey(Grouped.with(repartition, Serdes.String(), Serdes.String()))
        .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(WINDOW_MS), Duration.ofMillis(GRACE_MS)))
        .aggregate(() -> (Object) new ArrayList<>(), (cell, id, seen) -> withId(Json.asList(seen), id),
            Materialized.<String, Object, WindowStore<Bytes, byte[]>>as(store).withKeySerde(Serdes.String()).withValueSerde(Json.VALUE));
  }

  /** The sorted ids with `id` added in order; the same list when it is there already. */
  static Object withId(List<Object> ids, String id) {
    int low = 0;
    int high = ids.size();
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (((String) ids.get(mid)).compareTo(id) < 0) low = mid + 1;
      else high = mid;
    }
    if (low < ids.size() && ids.get(low).equals(id)) return ids;
    List<Object> copy = new ArrayList<>(ids.size() + 1);
    copy.addAll(ids);
    copy.add(low, id);
    return copy;
  }

  static Object surgePrice(Windowed<String> window, Map<String, Object> totals) {
    int demand = Json.asList(totals.get("requests")).size();
    int supply = Json.asList(totals.get("availableDrivers")).size();
    Map<String, Object> price = Json.object();
    price.put("cell", window.key());
    price.put("windowStart", window.window().start());
    price.put("windowEnd", window.window().end());
    price.put("demand", (long) demand);
    price.put("supply", (long) supply);
    price.put("multiplier", demand <= supply ? 1.0 : Math.min((double) demand / Math.max(supply, 1), 3.0));
    return price;
  }
}
