package dev.tributary.interop.differential.bundled.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Debezium change events (JSON converter, no schema wrapper) read as table rows, as Tributary's
 * {@code Serdes.debezium}, {@code Serdes.debeziumKey(json, { field: 'id' })} and
 * {@code debeziumTimestampExtractor} read them: c/r/u give the {@code after} row, d/t and
 * tombstones give null; a row's timestamp is its {@code source.ts_ms}.
 */
public final class Debezium {
  private Debezium() {}

  /** A row with the commit time it came with (the extractor needs it after deserialization). */
  public record Row(JsonNode row, Long sourceTsMs) {}

  /** The key struct {@code {"id": ...}} read as the id. */
  public static Serde<String> idKey() {
    Serializer<String> serializer = (topic, id) -> {
      if (id == null) return null;
      ObjectNode key = JsonSerde.MAPPER.createObjectNode().put("id", id);
      return bytesOf(key);
    };
    Deserializer<String> deserializer = (topic, bytes) -> bytes == null ? null : treeOf(bytes).get("id").asText();
    return Serdes.serdeFrom(serializer, deserializer);
  }

  public static Serde<Row> row() {
    // Written only into the table's own store: a create event, as Tributary writes one.
    Serializer<Row> serializer = (topic, row) -> {
      if (row == null) return null;
      ObjectNode envelope = JsonSerde.MAPPER.createObjectNode();
      envelope.putNull("before");
      envelope.set("after", row.row());
      envelope.put("op", "c");
      ObjectNode source = envelope.putObject("source");
      if (row.sourceTsMs() != null) source.put("ts_ms", row.sourceTsMs());
      return bytesOf(envelope);
    };
    Deserializer<Row> deserializer = (topic, bytes) -> {
      if (bytes == null) return null;
      JsonNode event = treeOf(bytes);
      if (event.has("payload") && event.has("schema")) event = event.get("payload");
      String op = event.get("op").asText();
      if (op.equals("d") || op.equals("t")) return null;
      JsonNode source = event.get("source");
      JsonNode ts = source != null && source.hasNonNull("ts_ms") ? source.get("ts_ms") : event.get("ts_ms");
      return new Row(event.get("after"), ts == null || !ts.isNumber() ? null : ts.asLong());
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }

  /** {@code source.ts_ms} of a row, the record's timestamp for deletes. */
  public static TimestampExtractor timestampExtractor() {
    return (ConsumerRecord<Object, Object> record, long partitionTime) -> {
      Row row = (Row) record.value();
      return row == null || row.sourceTsMs() == null ? record.timestamp() : row.sourceTsMs();
    };
  }

  private static byte[] bytesOf(JsonNode node) {
    try {
      return JsonSerde.MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode treeOf(byte[] bytes) {
    try {
      return JsonSerde.MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
