package dev.tributary.interop.differential.bundled.serde;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/** The bundled topologies' timestamp extractors: the event time a JSON value carries in its {@code ts}. */
public final class EventTime {
  private EventTime() {}

  /** {@code (record) => record.value.ts}. */
  public static TimestampExtractor ofValueTs() {
    return (ConsumerRecord<Object, Object> record, long partitionTime) -> ((JsonNode) record.value()).get("ts").asLong();
  }

  /** {@code (record) => record.value?.ts ?? record.timestamp}. */
  public static TimestampExtractor ofValueTsOrRecord() {
    return (ConsumerRecord<Object, Object> record, long partitionTime) -> {
      JsonNode value = (JsonNode) record.value();
      JsonNode ts = value == null ? null : value.get("ts");
      return ts == null || ts.isNull() ? record.timestamp() : ts.asLong();
    };
  }
}
