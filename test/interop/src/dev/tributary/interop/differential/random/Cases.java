package dev.tributary.interop.differential.random;

import dev.tributary.interop.Scenario;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * Several RandomCase topologies in one application, so one run covers many cases and seeds:
 * option {@code cases=<prefix>:<CaseClass>,...}, each case reading its own {@code <prefix>.*}
 * options; {@code output.suffix} is appended to every output topic.
 */
public final class Cases implements Scenario {
  @Override
  public Topology build(Map<String, String> options) {
    StreamsBuilder builder = new StreamsBuilder();
    String suffix = options.getOrDefault("output.suffix", "");
    for (String entry : options.getOrDefault("cases", "").split(",")) {
      if (entry.isEmpty()) continue;
      String[] parts = entry.split(":");
      try {
        RandomCase randomCase = (RandomCase) Class.forName(Cases.class.getPackageName() + "." + parts[1]).getDeclaredConstructor().newInstance();
        randomCase.addTo(builder, new CaseParams(parts[0], options), suffix);
      } catch (ReflectiveOperationException e) {
        throw new IllegalArgumentException("unknown case " + entry, e);
      }
    }
    return builder.build();
  }

  @Override
  public void configure(Properties properties, Map<String, String> options) {
    // Left and outer stream-stream joins emit their unmatched records at most once per this
    // wall-clock interval (1 s by default), which makes their output order depend on timing.
    // At 0 they are emitted on every record, as Tributary does: the output depends on input alone.
    properties.put(StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_OUTER_JOIN_SPURIOUS_RESULTS_FIX, 0L);
  }
}
