package dev.tributary.interop.differential.random;

import java.time.Duration;
import java.util.Map;

/** The options of one case: {@code <prefix>.<name>=<value>} among the runner's options. */
public final class CaseParams {
  public final String prefix;
  private final Map<String, String> options;

  CaseParams(String prefix, Map<String, String> options) {
    this.prefix = prefix;
    this.options = options;
  }

  public String text(String name) {
    String value = options.get(prefix + "." + name);
    if (value == null) throw new IllegalArgumentException("missing option " + prefix + "." + name);
    return value;
  }

  public Duration millis(String name) {
    return Duration.ofMillis(Long.parseLong(text(name)));
  }

  public String topic(String role) {
    return prefix + "-" + role;
  }
}
