import type { Metric, Registry } from 'prom-client'

/** One line of a family: a histogram's lines name themselves (`_bucket`, `_sum`, `_count`). */
export interface Sample {
  readonly metricName?: string
  readonly labels: Readonly<Record<string, string | number>>
  readonly value: number
}

/**
 * A metric family whose values live elsewhere (in `app.metrics()`) and are read when scraped.
 * prom-client's own classes keep their values themselves: a Counter or Gauge could be reset and
 * refilled in `collect`, but a Histogram cannot be given bucket counts counted by someone else.
 * One class for every type keeps them alike.
 */
export class ScrapedMetric {
  /** How prom-client's cluster registry merges workers' values. */
  readonly aggregator = 'sum'

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
    private readonly samples: () => Promise<Sample[]>,
  ) {}

  /** What the registry renders (`registry.metrics()`) and returns as JSON (`getMetricsAsJSON()`). */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: await this.samples() }
  }

  /** `registry.resetMetrics()`: the values belong to the running app, there is nothing to reset here. */
  reset(): void {}

  register(registry: Registry): void {
    // The registry takes any object with a name and get() (registry.js), but prom-client's types
    // name only its own four classes.
    registry.registerMetric(this as unknown as Metric)
  }
}
