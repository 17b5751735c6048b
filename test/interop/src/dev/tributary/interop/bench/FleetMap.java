package dev.tributary.interop.bench;

import dev.tributary.interop.Scenario;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The bench's fleet-map scenario (topologies/fleet-map): every ping enriched with its H3 zone, the
 * driver's profile (a table from Debezium CDC, re-keyed by id through a repartition topic) and the
 * rider's profile (a global table), plus each driver's latest position in a store. The CDC values
 * stay whole envelopes in the tables (their `after` is read at the join): a delete's null `after`
 * then joins as "no profile", as Tributary's deleted row does.
 */
public final class FleetMap implements Scenario {
  /** Debezium key `{"id": ...}` read as the id, as Serdes.debeziumKey(Serdes.json(), { field: 'id' }). */
  static final Serde<String> PROFILE_KEY = Serdes.serdeFrom(
      (Serializer<String>) (topic, id) -> {
        if (id == null) return null;
        Map<String, Object> key = Json.object();
        key.put("id", id);
        return Json.write(key);
      },
      (Deserializer<String>) (topic, bytes) -> bytes == null ? null : (String) Json.asObject(Json.parse(bytes)).get("id"));

  @Override
  public void configure(Properties properties, Map<String, String> options) {
    // Tributary reads a source table's records back from its topic instead of a -changelog copy.
    properties.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.REUSE_KTABLE_SOURCE_TOPICS);
  }

  @Override
  public Topology build(Map<String, String> options) {
    StreamsBuilder builder = new StreamsBuilder();
    KStream<String, Object> pings = builder.stream("vehicle_locations", Consumed.with(Serdes.String(), Json.VALUE).withTimestampExtractor(Json.VALUE_TS));
    KTable<String, Object> driverRows = builder.table("driver_profiles", Consumed.with(PROFILE_KEY, Json.VALUE).withTimestampExtractor(Json.DEBEZIUM_TS),
        Materialized.<String, Object, KeyValueStore<Bytes, byte[]>>as("fleet-map-driver-rows").withKeySerde(PROFILE_KEY).withValueSerde(Json.VALUE));
    KTable<String, Object> drivers = driverRows
        .groupBy((id, event) -> KeyValue.pair(id, driverCard(Json.asObject(event).get("after"))), Grouped.with("fleet-map-drivers-by-id", Serdes.String(), Json.VALUE))
        .aggregate(() -> null, (id, card, current) -> card, (id, card, current) -> null,
            Materialized.<String, Object, KeyValueStore<Bytes, byte[]>>as("fleet-map-drivers").withKeySerde(Serdes.String()).withValueSerde(Json.VALUE));
    GlobalKTable<String, Object> riders = builder.globalTable("rider_profiles", Consumed.with(PROFILE_KEY, Json.VALUE).withTimestampExtractor(Json.DEBEZIUM_TS),
        Materialized.<String, Object, KeyValueStore<Bytes, byte[]>>as("fleet-map-riders").withKeySerde(PROFILE_KEY).withValueSerde(Json.VALUE));

    KStream<String, Object> withDriver = pings
        .leftJoin(drivers, (ping, card) -> {
          Map<String, Object> joined = Json.object();
          joined.put("ping", ping);
          joined.put("driver", card);
          return (Object) joined;
        }, Joined.<String, Object, Object>with(Serdes.String(), Json.VALUE, Json.VALUE).withName("fleet-map-join-driver"));
    // Kafka Streams drops a record whose key mapper returns null even in a left join with a global
    // table (3.9: "Skipping record due to null join key"), where Tributary sends it on with no
    // rider: the pings without a rider are enriched beside the join instead, without a lookup.
    Map<String, KStream<String, Object>> byRider = withDriver.split(Named.as("fleet-map-rider-"))
        .branch((driverId, joined) -> riderId(joined) != null, Branched.as("known"))
        .defaultBranch(Branched.as("none"));
    KStream<String, Object> withRider = byRider.get("fleet-map-rider-known")
        .leftJoin(riders, (driverId, joined) -> riderId(joined),
            (joined, riderEvent) -> enrich(Json.asObject(Json.asObject(joined).get("ping")), Json.asObject(joined).get("driver"),
                riderEvent == null ? null : Json.asObject(riderEvent).get("after")),
            Named.as("fleet-map-join-rider"));
    KStream<String, Object> withoutRider = byRider.get("fleet-map-rider-none")
        .mapValues(joined -> enrich(Json.asObject(Json.asObject(joined).get("ping")), Json.asObject(joined).get("driver"), null));
    KStream<String, Object> enriched = withRider.merge(withoutRider);
    enriched.to("driver_rider_vehicle_location", Produced.with(Serdes.String(), Json.VALUE));
    enriched
        .groupByKey(Grouped.with(Serdes.String(), Json.VALUE))
        .reduce((current, next) -> Json.asLong(Json.asObject(next).get("ts")) >= Json.asLong(Json.asObject(current).get("ts")) ? next : current,
            Materialized.<String, Object, KeyValueStore<Bytes, byte[]>>as("fleet-map-latest-positions").withKeySerde(Serdes.String()).withValueSerde(Json.VALUE));
    Properties optimization = new Properties();
    optimization.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.REUSE_KTABLE_SOURCE_TOPICS);
    return builder.build(optimization);
  }

  private static String riderId(Object joined) {
    return (String) Json.asObject(Json.asObject(joined).get("ping")).get("riderId");
  }

  static Object driverCard(Object after) {
    if (after == null) return null;
    Map<String, Object> profile = Json.asObject(after);
    Map<String, Object> vehicle = Json.object();
    vehicle.put("make", profile.get("vehicle_make"));
    vehicle.put("model", profile.get("vehicle_model"));
    vehicle.put("plate", profile.get("vehicle_plate"));
    vehicle.put("seats", profile.get("vehicle_seats"));
    Map<String, Object> card = Json.object();
    card.put("name", profile.get("name"));
    card.put("rating", profile.get("rating"));
    card.put("vehicle", vehicle);
    return card;
  }

  /** The ping as sent, its zone, and who is in the car (enrichLocation). */
  static Object enrich(Map<String, Object> ping, Object driver, Object riderAfter) {
    Map<String, Object> out = Json.object();
    out.putAll(ping);
    out.put("cell", Zones.cellOf(Json.asDouble(ping.get("lat")), Json.asDouble(ping.get("lng"))));
    out.put("driver", driver);
    if (riderAfter == null) {
      out.put("rider", null);
    } else {
      Map<String, Object> rider = Json.asObject(riderAfter);
      Map<String, Object> card = Json.object();
      card.put("name", rider.get("name"));
      card.put("phone", rider.get("phone"));
      card.put("paymentMethod", rider.get("payment_method"));
      out.put("rider", card);
    }
    return out;
  }
}
