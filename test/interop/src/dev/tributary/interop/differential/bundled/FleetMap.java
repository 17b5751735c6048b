package dev.tributary.interop.differential.bundled;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.interop.Scenario;
import dev.tributary.interop.differential.bundled.serde.Debezium;
import dev.tributary.interop.differential.bundled.serde.EventTime;
import dev.tributary.interop.differential.bundled.serde.JsonSerde;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
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

/** topologies/fleet-map in Kafka Streams: pings joined with the re-keyed driver table and the rider global table. */
public final class FleetMap implements Scenario {
  @Override
  public Topology build(Map<String, String> options) {
    String suffix = options.getOrDefault("output.suffix", "");
    Serde<JsonNode> json = JsonSerde.json();
    StreamsBuilder builder = new StreamsBuilder();

    KStream<String, JsonNode> pings = builder.stream("vehicle_locations",
        Consumed.with(Serdes.String(), json).withTimestampExtractor(EventTime.ofValueTs()));

    KTable<String, Debezium.Row> driverRows = builder.table("driver_profiles",
        Consumed.with(Debezium.idKey(), Debezium.row()).withTimestampExtractor(Debezium.timestampExtractor()),
        Materialized.<String, Debezium.Row, KeyValueStore<Bytes, byte[]>>as("fleet-map-driver-rows")
            .withKeySerde(Debezium.idKey()).withValueSerde(Debezium.row()));
    KTable<String, JsonNode> drivers = driverRows
        .groupBy((id, row) -> KeyValue.pair(id, driverCard(row.row())), Grouped.with("fleet-map-drivers-by-id", Serdes.String(), json))
        .aggregate(() -> null, (id, card, agg) -> card, (id, card, agg) -> null,
            Materialized.<String, JsonNode, KeyValueStore<Bytes, byte[]>>as("fleet-map-drivers").withKeySerde(Serdes.String()).withValueSerde(json));

    GlobalKTable<String, Debezium.Row> riders = builder.globalTable("rider_profiles",
        Consumed.with(Debezium.idKey(), Debezium.row()).withTimestampExtractor(Debezium.timestampExtractor()),
        Materialized.<String, Debezium.Row, KeyValueStore<Bytes, byte[]>>as("fleet-map-riders")
            .withKeySerde(Debezium.idKey()).withValueSerde(Debezium.row()));

    KStream<String, JsonNode> enriched = pings
        .leftJoin(drivers, (ping, card) -> withDriver(ping, card), Joined.<String, JsonNode, JsonNode>with(Serdes.String(), json, json).withName("fleet-map-join-driver"))
        .leftJoin(riders,
            // The empty id, which no rider has, for a ping without a rider (as the bundled topology does).
            (driverId, joined) -> joined.get("ping").get("riderId").isNull() ? "" : joined.get("ping").get("riderId").asText(),
            (joined, rider) -> enrich(joined, rider),
            Named.as("fleet-map-join-rider"));

    enriched.to("driver_rider_vehicle_location" + suffix, Produced.with(Serdes.String(), json));
    enriched
        .groupByKey(Grouped.with(Serdes.String(), json))
        .reduce((current, next) -> next.get("ts").asLong() >= current.get("ts").asLong() ? next : current,
            Materialized.<String, JsonNode, KeyValueStore<Bytes, byte[]>>as("fleet-map-latest-positions").withValueSerde(json));
    return builder.build();
  }

  static JsonNode driverCard(JsonNode profile) {
    ObjectNode card = JsonSerde.MAPPER.createObjectNode();
    card.set("name", profile.get("name"));
    card.set("rating", profile.get("rating"));
    ObjectNode vehicle = card.putObject("vehicle");
    vehicle.set("make", profile.get("vehicle_make"));
    vehicle.set("model", profile.get("vehicle_model"));
    vehicle.set("plate", profile.get("vehicle_plate"));
    vehicle.set("seats", profile.get("vehicle_seats"));
    return card;
  }

  private static JsonNode withDriver(JsonNode ping, JsonNode card) {
    ObjectNode joined = JsonSerde.MAPPER.createObjectNode();
    joined.set("ping", ping);
    joined.set("driver", card == null ? JsonSerde.MAPPER.nullNode() : card);
    return joined;
  }

  private static JsonNode enrich(JsonNode joined, Debezium.Row rider) {
    JsonNode ping = joined.get("ping");
    ObjectNode out = ((ObjectNode) ping).deepCopy();
    out.put("cell", Geo.cellOf(ping.get("lat").asDouble(), ping.get("lng").asDouble()));
    out.set("driver", joined.get("driver"));
    if (rider == null) {
      out.putNull("rider");
    } else {
      ObjectNode card = out.putObject("rider");
      card.set("name", rider.row().get("name"));
      card.set("phone", rider.row().get("phone"));
      card.set("paymentMethod", rider.row().get("payment_method"));
    }
    return out;
  }
}
