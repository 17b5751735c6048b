package dev.tributary.interop.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A ride being assembled from its pings, as a session aggregate: topologies/ride-history/trip.ts
 * in Java (the newest pings wait, sorted, in a short tail and are folded into the settled path
 * once they are `reorderMs` behind the newest). Stored as JSON, as Tributary stores its aggregate.
 */
public final class Trip {
  public static final class Point {
    public double lat;
    public double lng;
    public long ts;

    Point(double lat, double lng, long ts) {
      this.lat = lat;
      this.lng = lng;
      this.ts = ts;
    }

    Map<String, Object> toJson() {
      Map<String, Object> json = Json.object();
      json.put("lat", lat);
      json.put("lng", lng);
      json.put("ts", ts);
      return json;
    }

    static Point fromJson(Object value) {
      Map<String, Object> json = Json.asObject(value);
      return new Point(Json.asDouble(json.get("lat")), Json.asDouble(json.get("lng")), Json.asLong(json.get("ts")));
    }
  }

  public String driverId = "";
  public String riderId = "";
  public boolean empty = true;
  public Point start = new Point(0, 0, 0);
  public Point settled = new Point(0, 0, 0);
  public double settledKm;
  public List<Point> tail = new ArrayList<>();
  public int unplaced;

  private Trip copy() {
    Trip t = new Trip();
    t.driverId = driverId;
    t.riderId = riderId;
    t.empty = empty;
    t.start = start;
    t.settled = settled;
    t.settledKm = settledKm;
    t.tail = new ArrayList<>(tail);
    t.unplaced = unplaced;
    return t;
  }

  Point stop() {
    return tail.isEmpty() ? settled : tail.get(tail.size() - 1);
  }

  double km() {
    if (tail.isEmpty()) return settledKm;
    double total = settledKm + haversineKm(settled, tail.get(0));
    for (int i = 1; i < tail.size(); i++) total += haversineKm(tail.get(i - 1), tail.get(i));
    return total;
  }

  static Trip addPing(Trip trip, Map<String, Object> ping, long reorderMs) {
    Point point = new Point(Json.asDouble(ping.get("lat")), Json.asDouble(ping.get("lng")), Json.asLong(ping.get("ts")));
    Trip t = trip.copy();
    if (trip.empty) {
      t.driverId = (String) ping.get("driverId");
      Object rider = ping.get("riderId");
      t.riderId = rider == null ? "" : (String) rider;
      t.empty = false;
      t.start = point;
      t.settled = point;
      t.settledKm = 0;
      t.tail = new ArrayList<>();
      return t;
    }
    if (point.ts < trip.start.ts) {
      t.start = point;
      t.settledKm = trip.settledKm + haversineKm(point, trip.start);
      return t;
    }
    if (point.ts <= trip.settled.ts) {
      if (point.ts == trip.settled.ts || point.ts == trip.start.ts) return trip;
      t.unplaced++;
      return t;
    }
    int at = insertionIndex(trip.tail, point.ts);
    if (at < trip.tail.size() && trip.tail.get(at).ts == point.ts) return trip;
    t.tail.add(at, point);
    t.settle(reorderMs);
    return t;
  }

  private void settle(long reorderMs) {
    long horizon = tail.get(tail.size() - 1).ts - reorderMs;
    int i = 0;
    while (i < tail.size() && tail.get(i).ts < horizon) {
      settledKm += haversineKm(settled, tail.get(i));
      settled = tail.get(i);
      i++;
    }
    if (i > 0) tail = new ArrayList<>(tail.subList(i, tail.size()));
  }

  private static int insertionIndex(List<Point> tail, long ts) {
    int low = 0;
    int high = tail.size();
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (tail.get(mid).ts < ts) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Two sessions a ping has bridged: the earlier one's path, the step between them, the later one's path. */
  static Trip merge(Trip a, Trip b) {
    if (a.empty) return b;
    if (b.empty) return a;
    Trip earlier = a.start.ts <= b.start.ts ? a : b;
    Trip later = earlier == a ? b : a;
    Trip t = later.copy();
    t.settledKm = earlier.km() + haversineKm(earlier.stop(), later.start) + later.settledKm;
    t.start = earlier.start;
    t.unplaced = earlier.unplaced + later.unplaced;
    return t;
  }

  Map<String, Object> toJson() {
    Map<String, Object> json = Json.object();
    json.put("driverId", driverId);
    json.put("riderId", riderId);
    json.put("empty", empty);
    json.put("start", start.toJson());
    json.put("settled", settled.toJson());
    json.put("settledKm", settledKm);
    List<Object> points = new ArrayList<>(tail.size());
    for (Point p : tail) points.add(p.toJson());
    json.put("tail", points);
    json.put("unplaced", (long) unplaced);
    return json;
  }

  static Trip fromJson(Map<String, Object> json) {
    Trip t = new Trip();
    t.driverId = (String) json.get("driverId");
    t.riderId = (String) json.get("riderId");
    t.empty = (Boolean) json.get("empty");
    t.start = Point.fromJson(json.get("start"));
    t.settled = Point.fromJson(json.get("settled"));
    t.settledKm = Json.asDouble(json.get("settledKm"));
    for (Object p : Json.asList(json.get("tail"))) t.tail.add(Point.fromJson(p));
    t.unplaced = (int) Json.asLong(json.get("unplaced"));
    return t;
  }

  static final org.apache.kafka.common.serialization.Serde<Trip> SERDE = org.apache.kafka.common.serialization.Serdes.serdeFrom(
      (topic, trip) -> trip == null ? null : Json.write(trip.toJson()),
      (topic, bytes) -> bytes == null ? null : fromJson(Json.asObject(Json.parse(bytes))));

  static double haversineKm(Point a, Point b) {
    double dLat = Math.toRadians(b.lat - a.lat);
    double dLng = Math.toRadians(b.lng - a.lng);
    double h = Math.pow(Math.sin(dLat / 2), 2) + Math.cos(Math.toRadians(a.lat)) * Math.cos(Math.toRadians(b.lat)) * Math.pow(Math.sin(dLng / 2), 2);
    return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
  }
}
