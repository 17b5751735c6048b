package dev.tributary.interop.bench;

import com.uber.h3core.H3Core;
import java.io.IOException;
import java.io.UncheckedIOException;

/** H3 zones at the surge resolution (7), as Tributary's cellOf (h3-js) computes them, with h3-java (the same C library over JNI). */
public final class Zones {
  public static final int SURGE_RESOLUTION = 7;
  private static final H3Core H3;

  static {
    try {
      H3 = H3Core.newInstance();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Zones() {}

  public static String cellOf(double lat, double lng) {
    return H3.latLngToCellAddress(lat, lng, SURGE_RESOLUTION);
  }
}
