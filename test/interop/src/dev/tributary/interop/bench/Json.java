package dev.tributary.interop.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * JSON values as the Tributary topologies read and write them (JSON.parse / JSON.stringify), with
 * Jackson as a Kafka Streams application would: objects are insertion-ordered maps, arrays lists,
 * numbers Integer, Long or Double.
 */
public final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  public static Map<String, Object> object() {
    return new LinkedHashMap<>();
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> asObject(Object value) {
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  public static List<Object> asList(Object value) {
    return (List<Object>) value;
  }

  public static long asLong(Object value) {
    return ((Number) value).longValue();
  }

  public static double asDouble(Object value) {
    return ((Number) value).doubleValue();
  }

  public static Object parse(byte[] bytes) {
    try {
      return MAPPER.readValue(bytes, Object.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Any JSON value; null bytes (a tombstone) read as Java null. Public no-arg constructor: usable as default.value.serde. */
  public static final class ValueSerde implements Serde<Object> {
    @Override
    public Serializer<Object> serializer() {
      return (topic, value) -> value == null ? null : write(value);
    }

    @Override
    public Deserializer<Object> deserializer() {
      return (topic, bytes) -> bytes == null ? null : parse(bytes);
    }
  }

  public static final Serde<Object> VALUE = new ValueSerde();

  /** The event time a phone or service put in the value (`ts`), as the Tributary topologies' extractors read it. */
  public static final TimestampExtractor VALUE_TS = (record, partitionTime) -> {
    Object ts = record.value() instanceof Map<?, ?> value ? value.get("ts") : null;
    return ts == null ? record.timestamp() : asLong(ts);
  };

  /** A Debezium change event's commit time (`source.ts_ms`, else `ts_ms`, else the record's), as debeziumTimestampExtractor. */
  public static final TimestampExtractor DEBEZIUM_TS = (record, partitionTime) -> {
    if (!(record.value() instanceof Map<?, ?> event)) return record.timestamp();
    Object ts = event.get("source") instanceof Map<?, ?> source ? source.get("ts_ms") : null;
    if (ts == null) ts = event.get("ts_ms");
    return ts == null ? record.timestamp() : asLong(ts);
  };
}
