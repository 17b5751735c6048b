package dev.tributary.interop.differential.bundled;

import com.uber.h3core.H3Core;
import com.uber.h3core.util.LatLng;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * src/geo of Tributary in Java: H3 zones (the same C library h3-js compiles), haversine distances,
 * fares and surge. StrictMath is fdlibm, the algorithms V8's Math uses, so distances come out the
 * same to the last bit wherever the platforms agree.
 */
public final class Geo {
  public static final double EARTH_RADIUS_KM = 6371.0088;
  public static final int SURGE_RESOLUTION = 7;
  public static final double MAX_SURGE = 3.0;
  private static final H3Core H3;

  static {
    try {
      H3 = H3Core.newInstance();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Geo() {}

  public static String cellOf(double lat, double lng, int resolution) {
    return H3.latLngToCellAddress(lat, lng, resolution);
  }

  public static String cellOf(double lat, double lng) {
    return cellOf(lat, lng, SURGE_RESOLUTION);
  }

  public static double[] cellCenter(String cell) {
    LatLng centre = H3.cellToLatLng(cell);
    return new double[] {centre.lat, centre.lng};
  }

  /** The cells exactly k steps away (the set Tributary's cellRing gives; order does not matter to its callers). */
  public static List<String> cellRing(String cell, int k) {
    if (k == 0) return List.of(cell);
    Set<String> inner = new HashSet<>(H3.gridDisk(cell, k - 1));
    List<String> ring = new ArrayList<>();
    for (String c : H3.gridDisk(cell, k)) if (!inner.contains(c)) ring.add(c);
    return ring;
  }

  private static double toRadians(double degrees) {
    return (degrees * Math.PI) / 180;
  }

  public static double haversineKm(double lat1, double lng1, double lat2, double lng2) {
    double dLat = toRadians(lat2 - lat1);
    double dLng = toRadians(lng2 - lng1);
    double sLat = StrictMath.sin(dLat / 2);
    double sLng = StrictMath.sin(dLng / 2);
    // Grouped as JavaScript evaluates `sin(dLat/2) ** 2 + cos(a) * cos(b) * sin(dLng/2) ** 2`.
    double h = sLat * sLat + (StrictMath.cos(toRadians(lat1)) * StrictMath.cos(toRadians(lat2))) * (sLng * sLng);
    return 2 * EARTH_RADIUS_KM * StrictMath.asin(Math.min(1, Math.sqrt(h)));
  }

  public static double surgeMultiplier(long demand, long supply) {
    if (demand <= supply) return 1.0;
    return Math.min((double) demand / Math.max(supply, 1), MAX_SURGE);
  }

  /** Velocity's tariff: 250 base, 120 per km, 35 per minute, at least 700 cents, times surge. */
  public static long fareCents(double distanceKm, double durationMs, double surge) {
    double metered = 250 + 120 * distanceKm + 35 * (durationMs / 60_000);
    return jsRound(Math.max(metered, 700) * surge);
  }

  public static long etaSeconds(double distanceKm, double speedKmh) {
    return (long) Math.ceil((distanceKm / speedKmh) * 3600);
  }

  /** JavaScript's Math.round: halves go up (Java's Math.round agrees for the non-negative amounts here). */
  private static long jsRound(double x) {
    return (long) Math.floor(x + 0.5);
  }
}
