/**
 * Samples the process's resident set size every few milliseconds: a run that allocates in
 * bursts between two explicit samples still shows its peak.
 */
export class PeakRssSampler {
  #peak = process.memoryUsage.rss()
  #timer: NodeJS.Timeout | undefined

  start(intervalMs = 20): this {
    this.#timer = setInterval(() => this.sample(), intervalMs)
    this.#timer.unref()
    return this
  }

  sample(): void {
    const rss = process.memoryUsage.rss()
    if (rss > this.#peak) this.#peak = rss
  }

  /** Stops sampling and returns the peak in bytes. */
  stop(): number {
    clearInterval(this.#timer)
    this.sample()
    return this.#peak
  }
}

