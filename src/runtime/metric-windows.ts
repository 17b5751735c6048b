/**
 * Sliding-window counters for runtime metrics. Both record into preallocated typed arrays, so the
 * per-record path allocates nothing; readers pay for the summing.
 */

/** Events per second over the last `windowSeconds` seconds, counted in one-second buckets. */
export class SlidingRate {
  private readonly buckets: Float64Array
  private second = Number.NaN
  private total = 0

  constructor(
    private readonly windowSeconds: number,
    private readonly startMs: number,
  ) {
    this.buckets = new Float64Array(windowSeconds)
  }

  add(count: number, nowMs: number): void {
    this.advance(Math.floor(nowMs / 1000))
    this.buckets[this.second % this.windowSeconds]! += count
    this.total += count
  }

  /** Everything added since creation. */
  count(): number {
    return this.total
  }

  /** The average rate over the window (or over the time since creation, when shorter). */
  perSecond(nowMs: number): number {
    this.advance(Math.floor(nowMs / 1000))
    let sum = 0
    for (let i = 0; i < this.windowSeconds; i++) sum += this.buckets[i]!
    // The window is the current, partial second plus the whole seconds before it.
    const windowMs = (this.windowSeconds - 1) * 1000 + (nowMs % 1000)
    const coveredMs = Math.max(1, Math.min(windowMs, nowMs - this.startMs))
    return (sum * 1000) / coveredMs
  }

  private advance(second: number): void {
    if (Number.isNaN(this.second)) {
      this.second = second
      return
    }
    if (second <= this.second) return
    const steps = Math.min(second - this.second, this.windowSeconds)
    for (let i = 1; i <= steps; i++) this.buckets[(this.second + i) % this.windowSeconds] = 0
    this.second = second
  }
}

/** Bucket `i` holds latencies up to `MIN_US * GROWTH^i` microseconds: about 19% wide, from 1 µs to ~70 min. */
const MIN_US = 1
const GROWTH = 2 ** 0.25
const BUCKETS = 128
const LOG_GROWTH = Math.log(GROWTH)

function bucketOf(latencyMs: number): number {
  const us = latencyMs * 1000
  if (us <= MIN_US) return 0
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(us / MIN_US) / LOG_GROWTH))
}

const upperBoundMs = (bucket: number): number => (MIN_US * GROWTH ** bucket) / 1000

export interface LatencySummary {
  /** Samples in the window. */
  readonly count: number
  readonly avgMs: number
  /** Upper bound of the histogram bucket holding the 99th percentile (within ~19%). */
  readonly p99Ms: number
  readonly maxMs: number
}

/**
 * Latencies over a sliding window: two log-scale histograms, the current one and the one before,
 * swapped every `windowMs`; summaries cover both, so they reflect between one and two windows.
 */
export class LatencyWindow {
  private current = new Float64Array(BUCKETS + 3)
  private previous = new Float64Array(BUCKETS + 3)
  private rotatedAt: number

  constructor(
    private readonly windowMs: number,
    startMs: number,
  ) {
    this.rotatedAt = startMs
  }

  record(latencyMs: number, nowMs: number): void {
    this.rotate(nowMs)
    const h = this.current
    h[bucketOf(latencyMs)]!++
    h[BUCKETS]!++ // count
    h[BUCKETS + 1]! += latencyMs // sum
    if (latencyMs > h[BUCKETS + 2]!) h[BUCKETS + 2] = latencyMs // max
  }

  summary(nowMs: number): LatencySummary {
    this.rotate(nowMs)
    const a = this.current
    const b = this.previous
    const count = a[BUCKETS]! + b[BUCKETS]!
    if (count === 0) return { count: 0, avgMs: 0, p99Ms: 0, maxMs: 0 }
    const target = Math.ceil(count * 0.99)
    let seen = 0
    let p99 = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += a[i]! + b[i]!
      if (seen >= target) {
        p99 = upperBoundMs(i)
        break
      }
    }
    const maxMs = Math.max(a[BUCKETS + 2]!, b[BUCKETS + 2]!)
    return { count, avgMs: (a[BUCKETS + 1]! + b[BUCKETS + 1]!) / count, p99Ms: Math.min(p99, maxMs), maxMs }
  }

  private rotate(nowMs: number): void {
    if (nowMs - this.rotatedAt < this.windowMs) return
    const elapsedWindows = Math.floor((nowMs - this.rotatedAt) / this.windowMs)
    const recycled = this.previous
    recycled.fill(0)
    if (elapsedWindows === 1) {
      this.previous = this.current
    } else {
      // More than a whole window passed without a rotation: both halves are stale.
      this.current.fill(0)
      this.previous = this.current
    }
    this.current = recycled
    this.rotatedAt += elapsedWindows * this.windowMs
  }
}
