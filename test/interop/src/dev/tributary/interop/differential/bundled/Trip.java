package dev.tributary.interop.differential.bundled;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.interop.differential.bundled.serde.JsonSerde;
import java.util.ArrayList;
import java.util.List;

/**
 * topologies/ride-history/trip.ts in Java: a ride assembled from its pings as a session aggregate,
 * the newest pings held sorted in a short tail until they are older than the reorder horizon.
 * Same arithmetic in the same order, so distances agree to the last bit.
 */
public record Trip(String driverId, String riderId, boolean empty, Point start, Point settled, double settledKm, List<Point> tail, long unplaced) {
  public record Point(double lat, double lng, long ts) {
    JsonNode toJson() {
      return JsonSerde.MAPPER.createObjectNode().put("lat", lat).put("lng", lng).put("ts", ts);
    }

    static Point of(JsonNode node) {
      return new Point(node.get("lat").asDouble(), node.get("lng").asDouble(), node.get("ts").asLong());
    }
  }

  private static final Point NOWHERE = new Point(0, 0, 0);

  public static Trip initial() {
    return new Trip("", "", true, NOWHERE, NOWHERE, 0, List.of(), 0);
  }

  private static double km(Point a, Point b) {
    return Geo.haversineKm(a.lat(), a.lng(), b.lat(), b.lng());
  }

  public Point stop() {
    return tail.isEmpty() ? settled : tail.get(tail.size() - 1);
  }

  /** Path length in time order: settled, the step to the tail, then along the tail (pathLengthKm's order of additions). */
  public double km() {
    if (tail.isEmpty()) return settledKm;
    double along = 0;
    for (int i = 1; i < tail.size(); i++) along += km(tail.get(i - 1), tail.get(i));
    return settledKm + km(settled, tail.get(0)) + along;
  }

  public Trip addPing(JsonNode ping, long reorderMs) {
    Point point = new Point(ping.get("lat").asDouble(), ping.get("lng").asDouble(), ping.get("ts").asLong());
    if (empty) {
      String rider = ping.get("riderId").isNull() ? "" : ping.get("riderId").asText();
      return new Trip(ping.get("driverId").asText(), rider, false, point, point, 0, List.of(), unplaced);
    }
    if (point.ts() < start.ts()) return new Trip(driverId, riderId, false, point, settled, settledKm + km(point, start), tail, unplaced);
    if (point.ts() <= settled.ts()) {
      return point.ts() == settled.ts() || point.ts() == start.ts() ? this : new Trip(driverId, riderId, false, start, settled, settledKm, tail, unplaced + 1);
    }
    int at = 0;
    while (at < tail.size() && tail.get(at).ts() < point.ts()) at++;
    if (at < tail.size() && tail.get(at).ts() == point.ts()) return this;
    List<Point> longer = new ArrayList<>(tail);
    longer.add(at, point);
    return new Trip(driverId, riderId, false, start, settled, settledKm, longer, unplaced).settle(reorderMs);
  }

  private Trip settle(long reorderMs) {
    long horizon = tail.get(tail.size() - 1).ts() - reorderMs;
    Point last = settled;
    double lastKm = settledKm;
    int i = 0;
    while (i < tail.size() && tail.get(i).ts() < horizon) {
      lastKm += km(last, tail.get(i));
      last = tail.get(i);
      i++;
    }
    return i == 0 ? this : new Trip(driverId, riderId, false, start, last, lastKm, List.copyOf(tail.subList(i, tail.size())), unplaced);
  }

  public static Trip merge(Trip a, Trip b) {
    if (a.empty()) return b;
    if (b.empty()) return a;
    Trip earlier = a.start().ts() <= b.start().ts() ? a : b;
    Trip later = earlier == a ? b : a;
    double bridge = km(earlier.stop(), later.start());
    double km = earlier.km() + bridge + later.settledKm();
    return new Trip(later.driverId(), later.riderId(), later.empty(), earlier.start(), later.settled(), km, later.tail(), earlier.unplaced() + later.unplaced());
  }

  public JsonNode toJson() {
    ObjectNode node = JsonSerde.MAPPER.createObjectNode();
    node.put("driverId", driverId).put("riderId", riderId).put("empty", empty);
    node.set("start", start.toJson());
    node.set("settled", settled.toJson());
    node.put("settledKm", settledKm);
    ArrayNode points = node.putArray("tail");
    for (Point p : tail) points.add(p.toJson());
    node.put("unplaced", unplaced);
    return node;
  }

  public static Trip of(JsonNode node) {
    List<Point> tail = new ArrayList<>();
    for (JsonNode p : node.get("tail")) tail.add(Point.of(p));
    return new Trip(node.get("driverId").asText(), node.get("riderId").asText(), node.get("empty").asBoolean(), Point.of(node.get("start")),
        Point.of(node.get("settled")), node.get("settledKm").asDouble(), List.copyOf(tail), node.get("unplaced").asLong());
  }
}
