package dev.tributary.interop;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * Runs one Scenario until SIGTERM (or stdin closing), printing one line per event on stdout for the
 * Node side to follow: {@code STATE <state>} on every state change, {@code TOPOLOGY} followed by
 * the description once, {@code ERROR <message>} on an uncaught exception (the application then
 * shuts down), {@code CLOSED} after a clean close.
 *
 * <p>Usage: {@code KafkaStreamsRunner <scenario class> bootstrap.servers=<host:port>
 * application.id=<id> state.dir=<dir> [key=value ...]}. A key that Kafka Streams knows (any
 * StreamsConfig, consumer or producer setting) overrides the defaults; every key also reaches the
 * scenario as an option.
 */
public final class KafkaStreamsRunner {
  public static void main(String[] args) throws Exception {
    if (args.length < 1) throw new IllegalArgumentException("usage: KafkaStreamsRunner <scenario class> key=value...");
    Scenario scenario = (Scenario) Class.forName("dev.tributary.interop." + args[0]).getDeclaredConstructor().newInstance();
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      if (eq < 0) throw new IllegalArgumentException("not key=value: " + args[i]);
      options.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }

    Properties properties = new Properties();
    properties.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    // No record cache: every update goes downstream, as the Tributary side runs (cacheMaxBytes: 0).
    properties.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    properties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    scenario.configure(properties, options);
    for (Map.Entry<String, String> option : options.entrySet()) {
      String key = option.getKey();
      if (StreamsConfig.configDef().names().contains(key) || key.startsWith("consumer.") || key.startsWith("producer.") || key.startsWith("main.consumer.") || key.startsWith("restore.consumer.")) {
        properties.put(key, option.getValue());
      }
    }

    Topology topology = scenario.build(options);
    System.out.println("TOPOLOGY");
    System.out.println(topology.describe());
    System.out.flush();

    KafkaStreams streams = new KafkaStreams(topology, properties);
    CountDownLatch done = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      System.out.println("STATE " + now);
      System.out.flush();
      if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) done.countDown();
    });
    streams.setUncaughtExceptionHandler(error -> {
      System.out.println("ERROR " + String.valueOf(error).replace('\n', ' '));
      System.out.flush();
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_APPLICATION;
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close();
      System.out.println("CLOSED");
      System.out.flush();
    }));
    // Closing stdin (the Node side going away) stops the application too.
    Thread stdin = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {}
      } catch (Exception ignored) {
        // fall through
      }
      System.exit(0);
    });
    stdin.setDaemon(true);
    stdin.start();
    streams.start();
    done.await();
  }
}
