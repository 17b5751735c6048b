/**
 * The logical nodes of the stream joins, built with Kafka Streams' names so that `describe()` reads
 * like Kafka's and state and topic names survive upgrades. `KStream` delegates here.
 */
import type { TableJoinType } from '../processors/joins/table-table-join.js'
import type { Serde } from '../serde/serde.js'
import type { JoinRepartitionSide } from './logical/nodes.js'
import { validName, type InternalStreamsBuilder } from './internal-builder.js'
import type { JoinWindows } from './join-windows.js'
import type { JoinedOptions, StreamJoinedOptions } from './options.js'

/** What a join needs to know of one input stream. */
export interface JoinInput {
  readonly nodeId: number
  readonly keySerde: Serde<unknown> | undefined
  readonly valueSerde: Serde<unknown> | undefined
}

/**
 * How a join input is repartitioned if its key changed upstream. Like Kafka Streams, the names of
 * the repartition's sink, filter and source are taken when the join is declared; a generated base
 * (`KSTREAM-...-0000000007`) gives generated node names, a user's name gives `<base>-repartition-sink/...`.
 */
function repartitionSide(builder: InternalStreamsBuilder, input: JoinInput, base: string, keySerde: Serde<unknown> | undefined, valueSerde: Serde<unknown> | undefined): JoinRepartitionSide {
  const generatedBase = /^KSTREAM.*-[0-9]{10}$/.test(base)
  const reusable = base === builder.nodeName(input.nodeId)
  if (!builder.keyChanged(input.nodeId)) return { base, namedByUser: !generatedBase, keySerde, valueSerde, reusable }
  const sink = builder.name('KSTREAM-SINK-')
  const filter = builder.name('KSTREAM-FILTER-')
  const source = builder.name('KSTREAM-SOURCE-')
  const names = generatedBase
    ? { sink, filter, source }
    : { sink: `${base}-repartition-sink`, filter: `${base}-repartition-filter`, source: `${base}-repartition-source` }
  return { base, namedByUser: !generatedBase, keySerde, valueSerde, names, reusable }
}

export function addStreamStreamJoin(
  builder: InternalStreamsBuilder,
  type: TableJoinType,
  left: JoinInput,
  right: JoinInput,
  joiner: (key: unknown, left: unknown, right: unknown) => unknown,
  windows: JoinWindows,
  options: StreamJoinedOptions<unknown, unknown, unknown>,
): number {
  const named = (suffix: string): string | undefined => (options.name === undefined ? undefined : `${options.name}${suffix}`)
  const keySerde = options.keySerde ?? left.keySerde
  const leftValueSerde = options.valueSerde ?? left.valueSerde
  const rightValueSerde = options.otherValueSerde ?? right.valueSerde
  // Kafka Streams names a join's repartition topic after the stream in front of it, or `<name>-left/-right`.
  const repartitionSides = [
    repartitionSide(builder, left, named('-left') ?? builder.nodeName(left.nodeId), keySerde, leftValueSerde),
    repartitionSide(builder, right, named('-right') ?? builder.nodeName(right.nodeId), keySerde, rightValueSerde),
  ]
  const thisWindowName = builder.name('KSTREAM-WINDOWED-', named('-this-windowed'))
  const otherWindowName = builder.name('KSTREAM-WINDOWED-', named('-other-windowed'))
  // Generated even when named: the store names derive from them.
  const thisGenerated = builder.name(type === 'outer' ? 'KSTREAM-OUTERTHIS-' : 'KSTREAM-JOINTHIS-')
  const otherGenerated = builder.name(type === 'inner' ? 'KSTREAM-JOINOTHER-' : 'KSTREAM-OUTEROTHER-')
  const mergeName = builder.name('KSTREAM-MERGE-', named('-merge'))
  const base = options.storeName === undefined ? undefined : validName(options.storeName)
  // KStreamImplJoin: a side whose partner may be missing is the "outer" one, in processor and store names.
  const thisSuffix = type === 'outer' ? '-outer-this-join' : '-this-join'
  const otherSuffix = type === 'inner' ? '-other-join' : '-outer-other-join'
  const index = thisGenerated.slice(thisGenerated.lastIndexOf('-') + 1)
  return builder.add({
    kind: 'stream-stream-join',
    name: mergeName,
    parents: [left.nodeId, right.nodeId],
    repartitionSides,
    joinType: type,
    windows: { beforeMs: windows.beforeMs, afterMs: windows.afterMs, graceMs: windows.graceMs },
    joiner,
    thisWindowName,
    otherWindowName,
    thisJoinName: named(thisSuffix) ?? thisGenerated,
    otherJoinName: named(otherSuffix) ?? otherGenerated,
    thisStoreName: base === undefined ? `${thisGenerated}-store` : `${base}${thisSuffix}-store`,
    otherStoreName: base === undefined ? `${otherGenerated}-store` : `${base}${otherSuffix}-store`,
    outerStoreName: type === 'inner' ? undefined : base === undefined ? `KSTREAM-OUTERSHARED-${index}-store` : `${base}${type === 'outer' ? '-outer-shared-join' : '-left-shared-join'}-store`,
    keySerde,
    leftValueSerde,
    rightValueSerde,
    loggingEnabled: options.loggingEnabled ?? true,
    storeType: options.storeType,
  })
}

export function addStreamTableJoin(
  builder: InternalStreamsBuilder,
  left: boolean,
  stream: JoinInput,
  table: { readonly nodeId: number },
  joiner: (key: unknown, value: unknown, tableValue: unknown) => unknown,
  options: JoinedOptions<unknown, unknown>,
): number {
  // Kafka Streams names the repartition topic of a stream-table join after the join's name if the
  // user gave one, else after the stream (shared by every unnamed join of it), and numbers its nodes
  // before the join's own.
  const base = options.name ?? builder.nodeName(stream.nodeId)
  const side = repartitionSide(builder, stream, base, options.keySerde ?? stream.keySerde, options.valueSerde ?? stream.valueSerde)
  const name = builder.name(left ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-', options.name)
  return builder.add({
    kind: 'stream-table-join',
    name,
    parents: [stream.nodeId, table.nodeId],
    repartitionSides: [side, undefined],
    left,
    joiner,
  })
}

export function addGlobalTableJoin(
  builder: InternalStreamsBuilder,
  left: boolean,
  stream: JoinInput,
  storeName: string,
  keyMapper: (key: unknown, value: unknown) => unknown,
  joiner: (key: unknown, value: unknown, tableValue: unknown) => unknown,
  options: JoinedOptions<unknown, unknown>,
): number {
  // Kafka Streams numbers both global-table joins as KSTREAM-LEFTJOIN- (KStreamImpl.globalTableJoin).
  const name = builder.name('KSTREAM-LEFTJOIN-', options.name)
  return builder.add({ kind: 'global-table-join', name, parents: [stream.nodeId], storeName, left, keyMapper, joiner })
}
