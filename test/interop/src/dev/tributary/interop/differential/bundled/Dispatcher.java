package dev.tributary.interop.differential.bundled;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.interop.differential.bundled.serde.JsonSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * topologies/ride-matching/dispatcher.ts in Java, with the bundled defaults: per dispatch area each
 * driver's latest state and an H3 index (resolution 8) of them; each request is answered with the
 * nearest free driver within 5 km, searched ring by ring, or as unmatched.
 */
final class Dispatcher implements Processor<String, JsonNode, String, JsonNode> {
  static final long STALE_AFTER_MS = 30_000;
  static final long PICKUP_TIMEOUT_MS = 5 * 60_000;
  static final double MAX_PICKUP_KM = 5;
  static final double CITY_SPEED_KMH = 25;
  static final int INDEX_RESOLUTION = 8;
  static final long RETENTION_MS = 10 * 60_000;
  static final long SWEEP_INTERVAL_MS = 60_000;
  private static final int MAX_RINGS = 64;

  private ProcessorContext<String, JsonNode> ctx;
  private KeyValueStore<String, JsonNode> drivers;
  private KeyValueStore<String, JsonNode> cells;
  private KeyValueStore<String, JsonNode> requests;

  @Override
  public void init(ProcessorContext<String, JsonNode> context) {
    ctx = context;
    drivers = context.getStateStore("ride-matching-drivers");
    cells = context.getStateStore("ride-matching-cells");
    requests = context.getStateStore("ride-matching-requests");
    context.schedule(Duration.ofMillis(SWEEP_INTERVAL_MS), PunctuationType.STREAM_TIME, this::sweep);
  }

  @Override
  public void process(Record<String, JsonNode> record) {
    JsonNode event = record.value();
    if (event.get("kind").asText().equals("ping")) onPing(record.key(), event.get("ping"));
    else onRequest(record.key(), event.get("request"), record);
  }

  private static String keyOf(String area, String id) {
    return area + "|" + id;
  }

  private void addToCell(String area, String cell, String driverId) {
    JsonNode ids = cells.get(keyOf(area, cell));
    ArrayNode next = JsonSerde.MAPPER.createArrayNode();
    if (ids != null) {
      for (JsonNode id : ids) if (id.asText().equals(driverId)) return;
      next.addAll((ArrayNode) ids);
    }
    next.add(driverId);
    cells.put(keyOf(area, cell), next);
  }

  private void removeFromCell(String area, String cell, String driverId) {
    JsonNode ids = cells.get(keyOf(area, cell));
    ArrayNode rest = JsonSerde.MAPPER.createArrayNode();
    if (ids != null) for (JsonNode id : ids) if (!id.asText().equals(driverId)) rest.add(id);
    cells.put(keyOf(area, cell), rest.isEmpty() ? null : rest);
  }

  private static JsonNode assignmentAfterPing(JsonNode assignment, JsonNode ping) {
    if (assignment == null || assignment.isNull()) return null;
    boolean pickedUp = assignment.get("pickedUp").asBoolean();
    if (!ping.get("riderId").isNull()) return pickedUp ? assignment : ((ObjectNode) assignment.deepCopy()).put("pickedUp", true);
    if (pickedUp) return null;
    return ping.get("ts").asLong() - assignment.get("at").asLong() >= PICKUP_TIMEOUT_MS ? null : assignment;
  }

  private void onPing(String area, JsonNode ping) {
    String driverId = ping.get("driverId").asText();
    String key = keyOf(area, driverId);
    JsonNode previous = drivers.get(key);
    if (previous != null && ping.get("ts").asLong() < previous.get("ts").asLong()) return;
    String cell = Geo.cellOf(ping.get("lat").asDouble(), ping.get("lng").asDouble(), INDEX_RESOLUTION);
    if (previous == null || !previous.get("cell").asText().equals(cell)) {
      if (previous != null) removeFromCell(area, previous.get("cell").asText(), driverId);
      addToCell(area, cell, driverId);
    }
    ObjectNode state = JsonSerde.MAPPER.createObjectNode();
    state.put("driverId", driverId);
    state.set("lat", ping.get("lat"));
    state.set("lng", ping.get("lng"));
    state.put("cell", cell);
    state.set("ts", ping.get("ts"));
    state.set("riderId", ping.get("riderId"));
    JsonNode assignment = assignmentAfterPing(previous == null ? null : previous.get("assignment"), ping);
    state.set("assignment", assignment == null ? JsonSerde.MAPPER.nullNode() : assignment);
    drivers.put(key, state);
  }

  static boolean isFree(JsonNode driver, long now) {
    if (!driver.get("riderId").isNull() || now - driver.get("ts").asLong() > STALE_AFTER_MS) return false;
    JsonNode assignment = driver.get("assignment");
    return assignment.isNull() || (!assignment.get("pickedUp").asBoolean() && now - assignment.get("at").asLong() >= PICKUP_TIMEOUT_MS);
  }

  private void onRequest(String area, JsonNode request, Record<String, JsonNode> record) {
    String requestId = request.get("requestId").asText();
    if (requests.get(requestId) != null) return;
    requests.put(requestId, request.get("ts"));
    long now = Math.max(ctx.currentStreamTimeMs(), request.get("ts").asLong());
    double pickupLat = request.get("pickupLat").asDouble();
    double pickupLng = request.get("pickupLng").asDouble();
    JsonNode best = null;
    double bestKm = 0;
    String origin = Geo.cellOf(pickupLat, pickupLng, INDEX_RESOLUTION);
    double spacingKm = centreSpacingKm(origin);
    for (int k = 0; k <= MAX_RINGS; k++) {
      double bound = ringLowerBoundKm(k, spacingKm);
      if (bound > MAX_PICKUP_KM || (best != null && bound > bestKm)) break;
      for (String cell : Geo.cellRing(origin, k)) {
        JsonNode ids = cells.get(keyOf(area, cell));
        if (ids == null) continue;
        for (JsonNode id : ids) {
          JsonNode driver = drivers.get(keyOf(area, id.asText()));
          if (driver == null || !isFree(driver, now)) continue;
          double km = Geo.haversineKm(pickupLat, pickupLng, driver.get("lat").asDouble(), driver.get("lng").asDouble());
          if (km > MAX_PICKUP_KM) continue;
          if (best == null || km < bestKm || (km == bestKm && driver.get("driverId").asText().compareTo(best.get("driverId").asText()) < 0)) {
            best = driver;
            bestKm = km;
          }
        }
      }
    }
    ObjectNode outcome = JsonSerde.MAPPER.createObjectNode();
    if (best == null) {
      outcome.put("kind", "unmatched");
      ObjectNode unmatched = outcome.putObject("unmatched");
      unmatched.put("requestId", requestId);
      unmatched.set("riderId", request.get("riderId"));
      unmatched.set("pickupLat", request.get("pickupLat"));
      unmatched.set("pickupLng", request.get("pickupLng"));
      unmatched.put("reason", "no-driver-in-range");
      unmatched.put("searchedKm", MAX_PICKUP_KM);
      unmatched.set("ts", request.get("ts"));
    } else {
      ObjectNode assignment = JsonSerde.MAPPER.createObjectNode();
      assignment.put("requestId", requestId).set("riderId", request.get("riderId"));
      assignment.put("at", now).put("pickedUp", false);
      ObjectNode busy = best.deepCopy();
      busy.set("assignment", assignment);
      drivers.put(keyOf(area, best.get("driverId").asText()), busy);
      outcome.put("kind", "assigned");
      ObjectNode assigned = outcome.putObject("assignment");
      assigned.put("requestId", requestId);
      assigned.set("riderId", request.get("riderId"));
      assigned.set("driverId", best.get("driverId"));
      assigned.put("distanceKm", bestKm);
      assigned.put("etaSeconds", Geo.etaSeconds(bestKm, CITY_SPEED_KMH));
      assigned.set("ts", request.get("ts"));
    }
    ctx.forward(record.withKey(requestId).withValue(outcome));
  }

  private static double ringLowerBoundKm(int k, double spacingKm) {
    double s = spacingKm * 0.9;
    return Math.max(0, s * ((k * Math.sqrt(3)) / 2 - 2 / Math.sqrt(3)));
  }

  private static double centreSpacingKm(String origin) {
    double[] centre = Geo.cellCenter(origin);
    double spacing = Double.POSITIVE_INFINITY;
    for (String neighbour : Geo.cellRing(origin, 1)) {
      double[] other = Geo.cellCenter(neighbour);
      spacing = Math.min(spacing, Geo.haversineKm(centre[0], centre[1], other[0], other[1]));
    }
    return spacing;
  }

  private void sweep(long streamTimeMs) {
    List<KeyValue<String, JsonNode>> silent = new ArrayList<>();
    try (KeyValueIterator<String, JsonNode> all = drivers.all()) {
      all.forEachRemaining((entry) -> {
        if (streamTimeMs - entry.value.get("ts").asLong() > RETENTION_MS) silent.add(entry);
      });
    }
    for (KeyValue<String, JsonNode> entry : silent) {
      String driverId = entry.value.get("driverId").asText();
      String area = entry.key.substring(0, entry.key.length() - driverId.length() - 1);
      removeFromCell(area, entry.value.get("cell").asText(), driverId);
      drivers.delete(entry.key);
    }
    List<String> old = new ArrayList<>();
    try (KeyValueIterator<String, JsonNode> all = requests.all()) {
      all.forEachRemaining((entry) -> {
        if (streamTimeMs - entry.value.asLong() > RETENTION_MS) old.add(entry.key);
      });
    }
    old.forEach(requests::delete);
  }
}
