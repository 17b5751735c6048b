package dev.tributary.interop.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * JSON values as the Tributary topologies read and write them (JSON.parse / JSON.stringify):
 * objects are insertion-ordered maps, arrays lists, numbers Long (integers) or Double. A small
 * codec of its own because the interop build has Kafka's JSON library (Jackson) only at run time,
 * not on the compile path; it parses and writes in one pass over the bytes, as JSON.parse does.
 */
public final class Json {
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
    Parser parser = new Parser(new String(bytes, StandardCharsets.UTF_8));
    Object value = parser.value();
    parser.skipSpace();
    if (parser.at != parser.text.length()) throw new IllegalArgumentException("trailing characters in JSON at " + parser.at);
    return value;
  }

  public static byte[] write(Object value) {
    StringBuilder out = new StringBuilder(256);
    write(out, value);
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void write(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      writeString(out, s);
    } else if (value instanceof Double d) {
      // As JSON.stringify: integral doubles without a fraction, non-finite as null.
      if (d.isNaN() || d.isInfinite()) out.append("null");
      else if (d == Math.rint(d) && Math.abs(d) < 1e15) out.append(d.longValue());
      else out.append(d.doubleValue());
    } else if (value instanceof Number || value instanceof Boolean) {
      out.append(value);
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) out.append(',');
        first = false;
        writeString(out, (String) e.getKey());
        out.append(':');
        write(out, e.getValue());
      }
      out.append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) out.append(',');
        write(out, list.get(i));
      }
      out.append(']');
    } else {
      throw new IllegalArgumentException("not a JSON value: " + value.getClass());
    }
  }

  private static void writeString(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    out.append('"');
  }

  private static final class Parser {
    final String text;
    int at;

    Parser(String text) {
      this.text = text;
    }

    void skipSpace() {
      while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
    }

    Object value() {
      skipSpace();
      char c = text.charAt(at);
      switch (c) {
        case '{': {
          at++;
          Map<String, Object> map = new LinkedHashMap<>();
          skipSpace();
          if (text.charAt(at) == '}') {
            at++;
            return map;
          }
          for (;;) {
            skipSpace();
            String key = string();
            skipSpace();
            expect(':');
            map.put(key, value());
            skipSpace();
            if (text.charAt(at) == ',') at++;
            else {
              expect('}');
              return map;
            }
          }
        }
        case '[': {
          at++;
          List<Object> list = new ArrayList<>();
          skipSpace();
          if (text.charAt(at) == ']') {
            at++;
            return list;
          }
          for (;;) {
            list.add(value());
            skipSpace();
            if (text.charAt(at) == ',') at++;
            else {
              expect(']');
              return list;
            }
          }
        }
        case '"':
          return string();
        case 't':
          at += 4;
          return Boolean.TRUE;
        case 'f':
          at += 5;
          return Boolean.FALSE;
        case 'n':
          at += 4;
          return null;
        default:
          return number();
      }
    }

    void expect(char c) {
      if (text.charAt(at) != c) throw new IllegalArgumentException("expected '" + c + "' in JSON at " + at);
      at++;
    }

    String string() {
      expect('"');
      StringBuilder out = null;
      int start = at;
      for (;;) {
        char c = text.charAt(at);
        if (c == '"') {
          String s = out == null ? text.substring(start, at) : out.append(text, start, at).toString();
          at++;
          return s;
        }
        if (c != '\\') {
          at++;
          continue;
        }
        if (out == null) out = new StringBuilder();
        out.append(text, start, at);
        char e = text.charAt(at + 1);
        at += 2;
        switch (e) {
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'u' -> {
            out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
            at += 4;
          }
          default -> out.append(e);
        }
        start = at;
      }
    }

    Object number() {
      int start = at;
      boolean integral = true;
      while (at < text.length()) {
        char c = text.charAt(at);
        if (c == '.' || c == 'e' || c == 'E') integral = false;
        else if (!(c == '-' || c == '+' || (c >= '0' && c <= '9'))) break;
        at++;
      }
      String literal = text.substring(start, at);
      if (integral && literal.length() < 19) return Long.parseLong(literal);
      return Double.parseDouble(literal);
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
