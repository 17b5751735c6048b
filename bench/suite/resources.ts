import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

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

/** Bytes of every file under `dir` (0 when it does not exist): the RocksDB footprint of a state directory. */
export async function bytesOnDisk(dir: string): Promise<number> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return 0
  }
  let total = 0
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) total += await bytesOnDisk(path)
    else if (entry.isFile()) total += (await stat(path).catch(() => ({ size: 0 }))).size
  }
  return total
}
