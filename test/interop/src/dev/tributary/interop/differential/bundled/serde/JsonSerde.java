package dev.tributary.interop.differential.bundled.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * JSON values as Jackson trees, as Tributary's {@code Serdes.json()} reads and writes them (UTF-8
 * JSON text; a null value is a null record). Number text may differ from JavaScript's (Java writes
 * 4.0 where JavaScript writes 4): the differential compares decoded values.
 */
public final class JsonSerde {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonSerde() {}

  public static Serde<JsonNode> json() {
    Serializer<JsonNode> serializer = (topic, value) -> {
      if (value == null) return null;
      try {
        return MAPPER.writeValueAsBytes(value);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
    Deserializer<JsonNode> deserializer = (topic, bytes) -> {
      if (bytes == null) return null;
      try {
        return MAPPER.readTree(bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
