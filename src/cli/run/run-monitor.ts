import type { OutputTap } from './output-tap.js'
import { formatRecord } from './record-format.js'
import type { StatusDisplay } from './status-line.js'

/** Figures the runtime itself reports about the running application; unknown ones are undefined. */
export interface AppFigures {
  /** Input records processed since start. */
  readonly processed?: number
  /** Input records not processed yet, over every assigned partition. */
  readonly lag?: number
  /** Bytes of the local state stores. */
  readonly stateBytes?: number
}

export interface RunMonitorOptions {
  readonly tap: OutputTap
  readonly display: StatusDisplay
  /** The application's state: RUNNING, REBALANCING... */
  readonly appState: () => string
  readonly appFigures: () => AppFigures | Promise<AppFigures>
  /** Records the generator has sent; undefined without a generator. */
  readonly generated: () => number | undefined
  readonly startedAt: number
}

/** A sample of output records every this many ticks (one tick a second: about every 5 s). */
const SAMPLE_EVERY_TICKS = 5
const SAMPLE_SIZE = 3

/**
 * Called once a second while a topology runs: reads the outputs, turns counters into rates for
 * the status line and now and then prints a few of the records the topology wrote.
 */
export class RunMonitor {
  private ticks = 0
  private lastAt: number
  private lastOut = 0
  private lastProcessed: number | undefined
  private warned = false
  private sampled = false

  constructor(private readonly options: RunMonitorOptions) {
    this.lastAt = options.startedAt
  }

  async tick(): Promise<void> {
    const { tap, display } = this.options
    const now = Date.now()
    try {
      await tap.poll()
    } catch (error) {
      // A slow or restarting broker: show it once and keep going; the next tick reads on.
      if (!this.warned) display.print(`[warn] cannot read the output topics right now: ${error instanceof Error ? error.message : String(error)}`)
      this.warned = true
    }
    const seconds = Math.max(0.001, (now - this.lastAt) / 1000)
    const out = tap.total()
    const figures = await this.options.appFigures()
    const generated = this.options.generated()
    const inPerSecond = figures.processed === undefined ? undefined : Math.max(0, figures.processed - (this.lastProcessed ?? 0)) / seconds
    display.update({
      uptimeMs: now - this.options.startedAt,
      state: this.options.appState(),
      ...(inPerSecond === undefined ? {} : { inPerSecond }),
      outPerSecond: (out - this.lastOut) / seconds,
      ...(figures.lag === undefined ? {} : { lag: figures.lag }),
      ...(figures.stateBytes === undefined ? {} : { stateBytes: figures.stateBytes }),
      ...(generated === undefined ? {} : { generated }),
    })
    this.lastAt = now
    this.lastOut = out
    this.lastProcessed = figures.processed
    // The first sample as soon as there is output, then one every few seconds.
    if (++this.ticks % SAMPLE_EVERY_TICKS === 0 || (!this.sampled && out > 0)) await this.printSample()
  }

  private async printSample(): Promise<void> {
    const records = await this.options.tap.sample(SAMPLE_SIZE)
    if (records.length === 0) return
    this.sampled = true
    const width = Math.max(...records.map((r) => r.topic.length))
    this.options.display.print(['[sample] latest output records:', ...records.map((r) => formatRecord(r, width, this.options.display.lineWidth))].join('\n'))
  }
}
