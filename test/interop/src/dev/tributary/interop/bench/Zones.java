package dev.tributary.interop.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * H3 zones at the surge resolution (7), as Tributary's cellOf (h3-js) computes them, with Uber's
 * h3-java (the same C library over JNI). Looked up at run time rather than compiled against, so
 * that the interop build does not need the dependency: the bench puts com.uber:h3 on the class
 * path of the applications that use zones.
 */
public final class Zones {
  public static final int SURGE_RESOLUTION = 7;
  private static final Object H3;
  private static final MethodHandle LAT_LNG_TO_CELL;

  static {
    try {
      Class<?> core = Class.forName("com.uber.h3core.H3Core");
      H3 = core.getMethod("newInstance").invoke(null);
      LAT_LNG_TO_CELL = MethodHandles.publicLookup()
          .findVirtual(core, "latLngToCellAddress", MethodType.methodType(String.class, double.class, double.class, int.class))
          .bindTo(H3);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("com.uber:h3 is not on the class path (the bench adds it; see bench/interop/kafka-streams-app.ts)", e);
    }
  }

  private Zones() {}

  public static String cellOf(double lat, double lng) {
    try {
      return (String) LAT_LNG_TO_CELL.invokeExact(lat, lng, SURGE_RESOLUTION);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }
}
