package dev.tributary.interop.differential.bundled.serde;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro values in the Confluent Schema Registry wire format (magic byte 0, the schema id as a 4-byte
 * big-endian int, Avro binary), with the subject named after the topic ({@code <topic>-value}), as
 * Tributary's {@code Serdes.schemaRegistry} writes and reads them. Confluent's own serializer is
 * not on Maven Central; this one speaks the same REST calls to any Confluent-compatible registry.
 */
public final class ConfluentAvroSerde {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private ConfluentAvroSerde() {}

  /** Writes with {@code schema} (registered under {@code <topic>-value} on first use), reads with each record's writer schema. */
  public static Serde<GenericRecord> forValues(String registryUrl, Schema schema) {
    Map<String, Integer> idBySubject = new ConcurrentHashMap<>();
    Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
    Serializer<GenericRecord> serializer = (topic, value) -> {
      if (value == null) return null;
      int id = idBySubject.computeIfAbsent(topic + "-value", subject -> register(registryUrl, subject, schema));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(0);
      out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      try {
        new GenericDatumWriter<GenericRecord>(schema).write(value, encoder);
        encoder.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toByteArray();
    };
    Deserializer<GenericRecord> deserializer = (topic, bytes) -> {
      if (bytes == null) return null;
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      if (buffer.get() != 0) throw new IllegalArgumentException("not the Confluent wire format (magic byte is not 0) on topic " + topic);
      Schema writer = schemaById.computeIfAbsent(buffer.getInt(), id -> schemaOf(registryUrl, id));
      try {
        return new GenericDatumReader<GenericRecord>(writer).read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }

  private static int register(String registryUrl, String subject, Schema schema) {
    String body = JsonSerde.MAPPER.createObjectNode().put("schema", schema.toString()).toString();
    HttpRequest request = HttpRequest.newBuilder(URI.create(registryUrl + "/subjects/" + subject + "/versions"))
        .header("Content-Type", CONTENT_TYPE).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return call(request).get("id").asInt();
  }

  private static Schema schemaOf(String registryUrl, int id) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(registryUrl + "/schemas/ids/" + id)).GET().build();
    return new Schema.Parser().parse(call(request).get("schema").asText());
  }

  private static JsonNode call(HttpRequest request) {
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) throw new IllegalStateException("schema registry " + request.uri() + ": " + response.statusCode() + " " + response.body());
      return JsonSerde.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
