import type { Headers, KeyValue } from '../core/record.js'
import type { Change, Windowed } from '../core/windowed.js'
import type { InternalProcessorContext, ProcessorContext } from './api.js'
import type { ValueAndTimestamp } from './value-and-timestamp.js'

/**
 * When a windowed aggregation forwards (Kafka Streams' `EmitStrategy.StrategyType`, KIP-825):
 * every update at once, or each window once, when it closes.
 */
export type EmitStrategyType = 'ON_WINDOW_UPDATE' | 'ON_WINDOW_CLOSE'

/** Kafka Streams' default of `__emit.interval.ms.kstreams.windowed.aggregation__`. */
export const DEFAULT_EMIT_INTERVAL_MS = 1000

/**
 * The bookkeeping of an aggregation that emits on window close (Kafka Streams'
 * AbstractKStreamTimeWindowAggregateProcessor.shouldEmitFinal): windows are looked for at most once
 * per emit interval of wall clock, and only when the close time has moved past the last emit.
 */
export class FinalEmitTracker {
  private readonly intervalMs: number
  private nextTimeToEmit = 0
  /** The close time of the last emit (every window closed by then went out); undefined before the first. */
  lastEmitWindowCloseTime: number | undefined

  constructor(context: ProcessorContext<unknown, unknown>) {
    this.intervalMs = (context as InternalProcessorContext).emitIntervalMsKstreamsWindowedAggregation ?? DEFAULT_EMIT_INTERVAL_MS
  }

  /** True when it is time to look for closed windows: the emit interval has passed and the close time moved. */
  shouldEmitFinal(context: ProcessorContext<unknown, unknown>, windowCloseTime: number): boolean {
    const now = context.currentSystemTimeMs()
    if (now < this.nextTimeToEmit) return false
    // From now, not from the last due time: a jump of the wall clock must not make every record emit.
    this.nextTimeToEmit = now + this.intervalMs
    return this.lastEmitWindowCloseTime === undefined || this.lastEmitWindowCloseTime < windowCloseTime
  }
}

/**
 * Forwards the closed time or sliding windows read from a window store, each with its stored
 * timestamp and no old value. They go out as Kafka Streams' time-ordered window store returns
 * them: by window start, then by key bytes (the stores here iterate by key bytes, so a stable sort
 * by start is enough).
 */
export async function forwardClosedWindows<K, A>(
  context: ProcessorContext<Windowed<K>, Change<A>>,
  windows: AsyncIterable<KeyValue<Windowed<K>, ValueAndTimestamp<A>>>,
  headers: Headers,
): Promise<void> {
  const closed: KeyValue<Windowed<K>, ValueAndTimestamp<A>>[] = []
  for await (const entry of windows) closed.push(entry)
  closed.sort((a, b) => a[0].window.start - b[0].window.start)
  for (const [key, { value, timestamp }] of closed) {
    await context.forward({ key, value: { newValue: value, oldValue: null }, timestamp, headers })
  }
}
