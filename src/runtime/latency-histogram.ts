/**
 * Latencies counted into fixed buckets since the instance started, the shape Prometheus
 * histograms need (`LatencyWindow` keeps percentiles over a sliding window instead, which cannot
 * be summed across instances or rated over an arbitrary range).
 */

/**
 * Upper bounds in seconds: Prometheus' default buckets, extended down to 100 µs because one
 * record usually goes through its sub-topology in well under a millisecond.
 */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
])

/** Every latency recorded since start, as a Prometheus histogram holds it. */
export interface LatencyHistogramSnapshot {
  /** Upper bounds of the buckets in seconds, ascending; the `+Inf` bucket is implicit (it is `count`). */
  readonly bucketsSeconds: readonly number[]
  /**
   * Cumulative counts, as Prometheus' `le` buckets: `counts[i]` is the number of latencies at most
   * `bucketsSeconds[i]`, so the counts never decrease and none exceeds `count`.
   */
  readonly counts: readonly number[]
  readonly sumSeconds: number
  readonly count: number
}

export class LatencyHistogram {
  private readonly bounds: Float64Array
  /** Per bucket, not cumulative, so recording bumps one slot; the last slot holds what exceeds every bound. */
  private readonly perBucket: Float64Array
  private sumSeconds = 0
  private count = 0

  constructor(bucketsSeconds: readonly number[] = LATENCY_BUCKETS_SECONDS) {
    for (let i = 1; i < bucketsSeconds.length; i++) {
      if (!(bucketsSeconds[i]! > bucketsSeconds[i - 1]!)) throw new RangeError(`Histogram bucket bounds must ascend; got ${bucketsSeconds.join(', ')}`)
    }
    this.bounds = Float64Array.from(bucketsSeconds)
    this.perBucket = new Float64Array(bucketsSeconds.length + 1)
  }

  /** Runs once per processed record: no allocation, and a scan from the bottom, where most records land. */
  record(latencyMs: number): void {
    const seconds = latencyMs / 1000
    const bounds = this.bounds
    let i = 0
    while (i < bounds.length && seconds > bounds[i]!) i++
    this.perBucket[i]!++
    this.sumSeconds += seconds
    this.count++
  }

  snapshot(): LatencyHistogramSnapshot {
    const counts: number[] = []
    let running = 0
    for (let i = 0; i < this.bounds.length; i++) {
      running += this.perBucket[i]!
      counts.push(running)
    }
    return { bucketsSeconds: Array.from(this.bounds), counts, sumSeconds: this.sumSeconds, count: this.count }
  }
}
