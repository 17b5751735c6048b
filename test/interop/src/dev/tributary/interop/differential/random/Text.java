package dev.tributary.interop.differential.random;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Windowed;

/** Every topic of the suite holds UTF-8 text; windowed keys are written {@code key@start/end}. */
final class Text {
  static final Serde<String> SERDE = Serdes.String();
  static final Consumed<String, String> CONSUMED = Consumed.with(SERDE, SERDE);
  static final Produced<String, String> PRODUCED = Produced.with(SERDE, SERDE);
  static final Grouped<String, String> GROUPED = Grouped.with(SERDE, SERDE);

  private Text() {}

  static String windowed(Windowed<String> key) {
    return key.key() + "@" + key.window().start() + "/" + key.window().end();
  }

  static String of(Object value) {
    return value == null ? null : String.valueOf(value);
  }

  /** The seed a key belongs to: keys are {@code s<seed>.<name>}. */
  static String seedOf(String key) {
    int dot = key.indexOf('.');
    return dot < 0 ? key : key.substring(0, dot);
  }
}
