import { TopologyError } from '../core/errors.js'
import type { Windowed } from '../core/windowed.js'
import type { Accumulator } from '../processors/aggregate.js'
import type { Serde } from '../serde/serde.js'
import { aggregating, type Grouping, type KGroupedStream } from './k-grouped-stream.js'
import { KTable } from './k-table.js'
import type { AggregateBaseFields } from './logical/nodes.js'
import type { AggregateOptions } from './options.js'
import { SessionWindows, SlidingWindows, timeWindowSpec, type TimeWindows, type UnlimitedWindows } from './windows.js'

/** One input of a cogroup: a grouped stream and how its values fold into the shared aggregate. */
interface CogroupInput<K, A> {
  readonly grouping: Grouping<K, unknown>
  // Method syntax: checked bivariantly, so that streams and tables stay covariant in their key type.
  aggregator(key: K, value: unknown, aggregate: A): A
}

/** What one input's aggregate node adds to the fields every aggregation node has. */
type NodeOfInput<K, A> = (input: CogroupInput<K, A>) =>
  | { kind: 'stream-aggregate'; accumulate: Accumulator<unknown, unknown, unknown> }
  | { kind: 'time-window-aggregate'; accumulate: Accumulator<unknown, unknown, unknown>; windows: { sizeMs: number; advanceMs: number; graceMs: number } }
  | { kind: 'sliding-window-aggregate'; accumulate: Accumulator<unknown, unknown, unknown>; windows: { timeDifferenceMs: number; graceMs: number } }
  | { kind: 'session-window-aggregate'; params: never }

/**
 * Several grouped streams folded into one aggregate per key (Kafka Streams' `cogroup`, KIP-150):
 * each stream has its own aggregator, all share one initializer and one store, and the result is
 * one table. The streams must be co-partitioned; each one whose key changed is repartitioned first
 * (name its grouping when more than one needs it: the repartition topics are named after it).
 *
 * @example
 * const spend = rides.groupByKey().cogroup((rider, ride, total: number) => total + ride.fare)
 *   .cogroup(tips.groupByKey(), (rider, tip, total) => total + tip.amount)
 *   .aggregate(() => 0, { storeName: 'spend-per-rider', valueSerde: Serdes.json<number>() })
 */
export class CogroupedKStream<K, A> {
  /** @internal Made by `KGroupedStream.cogroup`. */
  constructor(private readonly inputs: readonly CogroupInput<K, A>[]) {}

  /** Adds a grouped stream (with the same key type) and how its values fold into the aggregate. */
  cogroup<V>(groupedStream: KGroupedStream<K, V>, aggregator: (key: K, value: V, aggregate: A) => A): CogroupedKStream<K, A> {
    const grouping = groupedStream.cogroupGrouping()
    if (grouping.builder !== this.inputs[0]?.grouping.builder) {
      throw new TopologyError('cogroup() joins grouped streams of one StreamsBuilder: this one comes from another builder.')
    }
    if (this.inputs.some((input) => input.grouping === grouping)) {
      throw new TopologyError('This grouped stream is already part of the cogroup: add each grouped stream once.')
    }
    return new CogroupedKStream<K, A>([...this.inputs, { grouping, aggregator: aggregator as CogroupInput<K, A>['aggregator'] }])
  }

  /** The aggregate per key, starting as `initializer()`. */
  aggregate(initializer: () => A, options: AggregateOptions<A> = {}): KTable<K, A> {
    const { id, storeName } = addCogroup(this.inputs, options, (input) => ({ kind: 'stream-aggregate', accumulate: accumulateOf(initializer, input) }))
    const builder = this.builder
    return new KTable<K, A>(builder, id, this.inputs[0]?.grouping.keySerde, options.valueSerde, { storeName, storeNamedByUser: options.storeName !== undefined, windowGraceMs: undefined })
  }

  /** Aggregates per window: tumbling/hopping (`TimeWindows`), sliding, session or unlimited windows. */
  windowedBy(windows: SessionWindows): SessionWindowedCogroupedKStream<K, A>
  windowedBy(windows: TimeWindows | SlidingWindows | UnlimitedWindows): TimeWindowedCogroupedKStream<K, A>
  windowedBy(windows: TimeWindows | SlidingWindows | UnlimitedWindows | SessionWindows): TimeWindowedCogroupedKStream<K, A> | SessionWindowedCogroupedKStream<K, A> {
    if (windows instanceof SessionWindows) return new SessionWindowedCogroupedKStream(this.inputs, windows)
    return new TimeWindowedCogroupedKStream(this.inputs, windows)
  }

  private get builder() {
    return (this.inputs[0] as CogroupInput<K, A>).grouping.builder
  }
}

/** A cogroup cut into tumbling, hopping or sliding windows; each update is forwarded. */
export class TimeWindowedCogroupedKStream<K, A> {
  /** @internal */
  constructor(
    private readonly inputs: readonly CogroupInput<K, A>[],
    private readonly windows: TimeWindows | SlidingWindows | UnlimitedWindows,
  ) {}

  aggregate(initializer: () => A, options: AggregateOptions<A> = {}): KTable<Windowed<K>, A> {
    const { windows } = this
    const { id, storeName, keySerde } = addCogroup(this.inputs, options, (input) =>
      windows instanceof SlidingWindows
        ? { kind: 'sliding-window-aggregate', accumulate: accumulateOf(initializer, input), windows: { timeDifferenceMs: windows.timeDifferenceMs, graceMs: windows.graceMs } }
        : { kind: 'time-window-aggregate', accumulate: accumulateOf(initializer, input), windows: timeWindowSpec(windows) },
    )
    const builder = (this.inputs[0] as CogroupInput<K, A>).grouping.builder
    return new KTable<Windowed<K>, A>(builder, id, undefined, options.valueSerde, {
      storeName,
      storeNamedByUser: options.storeName !== undefined,
      windowGraceMs: windows.graceMs,
      windowed: { keySerde, sessions: false },
    })
  }
}

/** A cogroup cut into sessions: merging sessions combine their aggregates with `merger`. */
export class SessionWindowedCogroupedKStream<K, A> {
  /** @internal */
  constructor(
    private readonly inputs: readonly CogroupInput<K, A>[],
    private readonly windows: SessionWindows,
  ) {}

  aggregate(initializer: () => A, merger: (key: K, left: A, right: A) => A, options: AggregateOptions<A> = {}): KTable<Windowed<K>, A> {
    const spec = { inactivityGapMs: this.windows.inactivityGapMs, graceMs: this.windows.graceMs }
    const { id, storeName, keySerde } = addCogroup(this.inputs, options, (input) => ({
      kind: 'session-window-aggregate',
      params: { storeName: '', windows: spec, initializer, aggregator: input.aggregator, merger, emitStrategy: 'ON_WINDOW_UPDATE' } as never,
    }))
    const builder = (this.inputs[0] as CogroupInput<K, A>).grouping.builder
    return new KTable<Windowed<K>, A>(builder, id, undefined, options.valueSerde, {
      storeName,
      storeNamedByUser: options.storeName !== undefined,
      windowGraceMs: this.windows.inactivityGapMs + this.windows.graceMs,
      windowed: { keySerde, sessions: true },
    })
  }
}

function accumulateOf<K, A>(initializer: () => A, input: CogroupInput<K, A>): Accumulator<unknown, unknown, unknown> {
  return aggregating(initializer, input.aggregator) as Accumulator<unknown, unknown, unknown>
}

/**
 * Adds a cogroup in Kafka Streams' order (CogroupedStreamAggregateBuilder): the store's name, then
 * each input's repartition (named after its grouping, or else the store), then one aggregate node
 * per input sharing the store, then the merge node that is the resulting table.
 */
function addCogroup<K, A>(
  inputs: readonly CogroupInput<K, A>[],
  options: AggregateOptions<A>,
  nodeOf: NodeOfInput<K, A>,
): { id: number; storeName: string; keySerde: Serde<unknown> | undefined } {
  const first = inputs[0]
  if (first === undefined) throw new TopologyError('A cogroup needs at least one grouped stream.')
  const builder = first.grouping.builder
  const storeName = builder.nameUnlessGiven('COGROUPKSTREAM-AGGREGATE-STATE-STORE-', options.storeName)
  const repartitions = inputs.map((input) => (builder.keyChanged(input.grouping.parentId) ? builder.repartitionNames(input.grouping.groupedName ?? storeName) : undefined))
  const keySerde = first.grouping.keySerde as Serde<unknown> | undefined
  const ids = inputs.map((input, i) => {
    const name = builder.name('COGROUPKSTREAM-AGGREGATE-', options.name === undefined ? undefined : `${options.name}-cogroup-agg-${i}`)
    const base: AggregateBaseFields = {
      storeName,
      keySerde: input.grouping.keySerde as Serde<unknown> | undefined,
      valueSerde: input.grouping.valueSerde as Serde<unknown> | undefined,
      aggregateSerde: options.valueSerde as Serde<unknown> | undefined,
      loggingEnabled: options.loggingEnabled ?? true,
      cachingEnabled: options.cachingEnabled ?? true,
      storeType: options.storeType,
      repartitionBase: input.grouping.groupedName ?? storeName,
      repartitionNamedByUser: input.grouping.groupedName !== undefined,
      repartitionNames: repartitions[i],
      sharesStore: i > 0,
    }
    return builder.add({ name, parents: [input.grouping.parentId], ...base, ...nodeOf(input) } as never)
  })
  const mergeName = builder.name('COGROUPKSTREAM-MERGE-', options.name === undefined ? undefined : `${options.name}-cogroup-merge`)
  const id = builder.add({ kind: 'cogroup-merge', name: mergeName, parents: ids, storeName })
  return { id, storeName, keySerde }
}
