import { TopologyError } from '../../core/errors.js'
import { streamAggregateProcessor } from '../../processors/aggregate.js'
import { changeSerde } from '../../processors/change-serde.js'
import { dropNullKeysProcessor } from '../../processors/drop-null-keys.js'
import { passThroughProcessor } from '../../processors/pass-through.js'
import { sessionWindowAggregateProcessor } from '../../processors/session-window-aggregate.js'
import { slidingWindowAggregateProcessor } from '../../processors/sliding-window-aggregate.js'
import { splitProcessor } from '../../processors/split.js'
import { suppressProcessor } from '../../processors/suppress.js'
import { tableAggregateProcessor } from '../../processors/table-aggregate.js'
import { tableSourceProcessor } from '../../processors/table-source.js'
import { tableToStreamProcessor } from '../../processors/table-to-stream.js'
import { timeWindowAggregateProcessor } from '../../processors/time-window-aggregate.js'
import type { Serde } from '../../serde/serde.js'
import { TopologyAssembler } from '../../topology/topology-assembler.js'
import type { Topology } from '../../topology/topology.js'
import { tableStoreOf, type LogicalGraph, type LogicalNode, type NodeKind, type NodeOfKind } from './nodes.js'
import { defaultPasses, type GraphPass } from './passes.js'
import type { TableView } from '../../processors/joins/table-view.js'
import { addGlobalStoreTo, addOperatorStore, type CompileContext, type DslStore, keyRef, type NodeCompiler, sourceTableStore, valueRef, windowedStoreKey } from './compile-context.js'
import { joinCompilers } from './compile-joins.js'

function addAggregate(
  ctx: CompileContext,
  node: NodeOfKind<'stream-aggregate' | 'time-window-aggregate' | 'session-window-aggregate' | 'sliding-window-aggregate' | 'table-aggregate'>,
  store: Omit<DslStore, 'name' | 'keySerde' | 'valueSerde' | 'loggingEnabled' | 'cachingEnabled'>,
  supplier: Parameters<TopologyAssembler['addProcessor']>[1],
): void {
  if (node.sharesStore !== true) {
    addOperatorStore(ctx, {
      ...store,
      name: node.storeName,
      keySerde: node.keySerde,
      valueSerde: node.aggregateSerde,
      loggingEnabled: node.loggingEnabled,
      cachingEnabled: node.cachingEnabled,
      storeType: node.storeType,
    })
  }
  ctx.assembler.addProcessor(node.name, supplier, ctx.parentsOf(node), [node.storeName])
  ctx.setOutput(node, node.name)
}

/** One compiler per node kind: adding a kind without a compiler is a type error. */
const compilers: { readonly [Kind in NodeKind]: NodeCompiler<Kind> } = {
  'stream-source': (node, ctx) => {
    // Checked at build(), as Kafka's InternalTopologyBuilder.addSource checks them.
    if (node.topics.length === 0) throw new TopologyError(`Source "${node.name}" reads no topic: builder.stream() needs at least one topic.`)
    for (const topic of node.topics) {
      if (typeof topic !== 'string' || topic.length === 0) throw new TopologyError(`Source "${node.name}" has an invalid topic name ${String(topic)}: topic names are non-empty strings.`)
    }
    ctx.assembler.addSource(node.name, node.topics, keyRef(node.keySerde), valueRef(node.valueSerde), node.timestampExtractor, node.offsetResetPolicy)
    ctx.setOutput(node, node.name)
  },
  'global-store': (node, ctx) => addGlobalStoreTo(ctx.assembler, node),
  'stream-to-table': (node, ctx) => {
    // Kafka's StreamToTableNode: a store (and changelog) only if the table is materialized.
    if (!ctx.isMaterialized(node.id)) {
      ctx.assembler.addProcessor(node.name, tableSourceProcessor(undefined) as never, ctx.parentsOf(node), [])
    } else {
      addOperatorStore(ctx, { name: node.storeName, type: 'keyValue', keySerde: node.keySerde, valueSerde: node.valueSerde, valueFormat: 'timestamped', loggingEnabled: node.loggingEnabled, cachingEnabled: node.cachingEnabled, storeType: node.storeType })
      ctx.assembler.addProcessor(node.name, tableSourceProcessor(node.storeName) as never, ctx.parentsOf(node), [node.storeName])
    }
    ctx.setOutput(node, node.name)
  },
  'table-source': (node, ctx) => {
    ctx.assembler.addSource(node.sourceName, [node.topic], keyRef(node.keySerde), valueRef(node.valueSerde), node.timestampExtractor, node.offsetResetPolicy)
    // Kafka's TableSourceNode: a store only if the table is materialized (named, or read downstream).
    if (!ctx.isMaterialized(node.id)) {
      ctx.assembler.addProcessor(node.name, tableSourceProcessor(undefined) as never, [node.sourceName], [])
    } else {
      if (ctx.reuseSourceTopics) ctx.assembler.addStore(sourceTableStore(node))
      else addOperatorStore(ctx, { name: node.storeName, type: 'keyValue', keySerde: node.keySerde, valueSerde: node.valueSerde, valueFormat: 'timestamped', loggingEnabled: node.loggingEnabled, cachingEnabled: node.cachingEnabled, storeType: node.storeType })
      ctx.assembler.addProcessor(node.name, tableSourceProcessor(node.storeName) as never, [node.sourceName], [node.storeName])
    }
    ctx.setOutput(node, node.name)
  },
  stateless: (node, ctx) => {
    ctx.assembler.addProcessor(node.name, node.supplier, ctx.parentsOf(node))
    ctx.setOutput(node, node.name)
  },
  process: (node, ctx) => {
    ctx.assembler.addProcessor(node.name, node.supplier, ctx.parentsOf(node), node.stores)
    ctx.setOutput(node, node.name)
  },
  merge: (node, ctx) => {
    ctx.assembler.addProcessor(node.name, passThroughProcessor() as never, ctx.parentsOf(node))
    ctx.setOutput(node, node.name)
  },
  split: (node, ctx) => {
    ctx.assembler.addProcessor(node.name, splitProcessor(node.branches, node.defaultChild) as never, ctx.parentsOf(node))
    ctx.setOutput(node, node.name)
  },
  branch: (node, ctx) => {
    ctx.assembler.addProcessor(node.name, passThroughProcessor() as never, ctx.parentsOf(node))
    ctx.setOutput(node, node.name)
  },
  repartition: (node, ctx) => {
    const key = keyRef(node.keySerde)
    const value = valueRef(node.valueSerde, node.carriesChanges ? (inner) => changeSerde(inner) as Serde<unknown> : undefined)
    let upstream = ctx.parentsOf(node)
    if (node.filterName !== undefined) {
      ctx.assembler.addProcessor(node.filterName, dropNullKeysProcessor() as never, upstream)
      upstream = [node.filterName]
    }
    ctx.assembler.addSink(node.sinkName, node.topic, key, value, upstream)
    ctx.assembler.addInternalTopic({ name: node.topic, purpose: 'repartition', numPartitions: node.numPartitions, config: { 'cleanup.policy': 'delete' } })
    ctx.assembler.addSource(node.sourceName, [node.topic], key, value)
    ctx.setOutput(node, node.sourceName)
  },
  sink: (node, ctx) => {
    ctx.assembler.addSink(node.name, node.topic as never, keyRef(node.keySerde), valueRef(node.valueSerde), ctx.parentsOf(node))
  },
  'stream-aggregate': (node, ctx) => {
    addAggregate(ctx, node, { type: 'keyValue', valueFormat: 'timestamped' }, streamAggregateProcessor({ storeName: node.storeName, accumulate: node.accumulate }) as never)
  },
  'time-window-aggregate': (node, ctx) => {
    const { sizeMs, graceMs } = node.windows
    const emitStrategy = node.emitStrategy ?? 'ON_WINDOW_UPDATE'
    addAggregate(
      ctx,
      node,
      // Emitting on window close, Kafka Streams keeps the windows in its time-ordered window store.
      { type: 'window', valueFormat: 'timestamped', retentionMs: sizeMs + graceMs, windowSizeMs: sizeMs, timeOrderedWindows: emitStrategy === 'ON_WINDOW_CLOSE' },
      timeWindowAggregateProcessor({ storeName: node.storeName, windows: node.windows, accumulate: node.accumulate, emitStrategy }) as never,
    )
  },
  'session-window-aggregate': (node, ctx) => {
    const { inactivityGapMs, graceMs } = node.params.windows
    addAggregate(
      ctx,
      node,
      // Kafka Streams' default retention (SessionStoreMaterializer): a session ending exactly gap + grace
      // before the store's latest session end is already expired there, so a record that would merge
      // into it finds nothing and is dropped as late; one more ms here would merge it instead.
      { type: 'session', valueFormat: 'plain', retentionMs: inactivityGapMs + graceMs },
      sessionWindowAggregateProcessor({ ...node.params, storeName: node.storeName }) as never,
    )
  },
  'sliding-window-aggregate': (node, ctx) => {
    const { timeDifferenceMs, graceMs } = node.windows
    const emitStrategy = node.emitStrategy ?? 'ON_WINDOW_UPDATE'
    addAggregate(
      ctx,
      node,
      // Kafka Streams' default retention (SlidingWindowStoreMaterializer): a record may need windows starting up to 2 * difference before it.
      // Emitting on window close, the windows are in its time-ordered window store.
      {
        type: 'window',
        valueFormat: 'timestamped',
        retentionMs: 2 * timeDifferenceMs + graceMs,
        windowSizeMs: timeDifferenceMs,
        timeOrderedWindows: emitStrategy === 'ON_WINDOW_CLOSE',
      },
      slidingWindowAggregateProcessor({ storeName: node.storeName, windows: node.windows, accumulate: node.accumulate, emitStrategy }) as never,
    )
  },
  'cogroup-merge': (node, ctx) => {
    // Every input of a cogroup folds into one store: their partitions must line up.
    const topics = [...new Set(node.parents.flatMap((p) => ctx.sourceTopicsOf(p)))]
    if (topics.length > 1) ctx.assembler.addCopartitionGroup(topics)
    ctx.assembler.addProcessor(node.name, passThroughProcessor() as never, ctx.parentsOf(node))
    ctx.setOutput(node, node.name)
  },
  'table-stateless': (node, ctx) => {
    const { store } = node
    if (store === undefined) {
      ctx.assembler.addProcessor(node.name, node.supplier(ctx.sendsOldValues(node.parents[0] as number), undefined), ctx.parentsOf(node))
    } else {
      addOperatorStore(ctx, {
        name: store.name,
        type: 'keyValue',
        keySerde: store.keySerde,
        valueSerde: store.valueSerde,
        valueFormat: 'timestamped',
        loggingEnabled: store.loggingEnabled,
        cachingEnabled: store.cachingEnabled,
        storeType: store.storeType,
        ...(store.windowedKeys ? { keyWrap: windowedStoreKey } : {}),
      })
      ctx.assembler.addProcessor(node.name, node.supplier(ctx.sendsOldValues(node.id), store.name), ctx.parentsOf(node), [store.name])
    }
    ctx.setOutput(node, node.name)
  },
  'table-to-stream': (node, ctx) => {
    ctx.assembler.addProcessor(node.name, tableToStreamProcessor() as never, ctx.parentsOf(node))
    ctx.setOutput(node, node.name)
  },
  'table-group-by': (node, ctx) => {
    ctx.assembler.addProcessor(node.name, node.supplier, ctx.parentsOf(node))
    ctx.setOutput(node, node.name)
  },
  'table-aggregate': (node, ctx) => {
    addAggregate(
      ctx,
      node,
      { type: 'keyValue', valueFormat: 'timestamped' },
      tableAggregateProcessor({ storeName: node.storeName, add: node.add, subtract: node.subtract }) as never,
    )
  },
  suppress: (node, ctx) => {
    let spec: Parameters<typeof suppressProcessor>[0]
    const { bufferConfig } = node.spec
    const limits = { maxRecords: bufferConfig.maxRecords, maxBytes: bufferConfig.maxBytes, bufferFullStrategy: bufferConfig.bufferFullStrategy }
    if (node.spec.kind === 'until-window-closes') {
      if (node.windowGraceMs === undefined) {
        throw new TopologyError(
          `Operator "${node.name}": Suppressed.untilWindowCloses() needs a windowed table (the result of a windowed ` +
            `aggregation). For other tables use Suppressed.untilTimeLimit(ms).`,
        )
      }
      spec = { kind: 'until-window-closes', graceMs: node.windowGraceMs, sessionWindows: node.sessionWindows, ...limits }
    } else {
      spec = { kind: 'until-time-limit', timeLimitMs: node.spec.timeLimitMs, ...limits }
    }
    addOperatorStore(ctx, {
      name: node.storeName,
      type: 'keyValue',
      timeOrderedBuffer: true,
      keySerde: node.keySerde,
      valueSerde: node.valueSerde,
      valueFormat: 'plain',
      loggingEnabled: bufferConfig.loggingEnabled,
      changelogConfig: bufferConfig.logConfig,
      ...(node.windowedKeys ? { keyWrap: windowedStoreKey } : {}),
    })
    ctx.assembler.addProcessor(node.name, suppressProcessor(spec, node.storeName, node.name) as never, ctx.parentsOf(node), [node.storeName])
    ctx.setOutput(node, node.name)
  },
  ...joinCompilers,
}


/**
 * Runs the passes over the logical graph, then compiles every node into physical nodes, stores and
 * internal topics, and cuts the result into sub-topologies.
 */
export function compileLogicalGraph(graph: LogicalGraph, passes: readonly GraphPass[] = defaultPasses): Topology {
  const optimized = passes.reduce((g, pass) => pass(g), graph)
  const assembler = new TopologyAssembler()
  const outputs = new Map<number, string>()
  const byId = new Map(optimized.nodes.map((n) => [n.id, n]))
  // A graph built without the DSL's bookkeeping keeps every table's store.
  const isMaterialized = (id: number): boolean => optimized.materializedTables?.has(id) ?? true
  // Kafka's value getters: a filter, mapValues or table join without a store is read through its parents.
  const tableView = (id: number): TableView => {
    const node = byId.get(id)
    if (node === undefined) throw new TopologyError(`No table node ${id} to look rows up in.`)
    if (node.kind === 'table-stateless' && node.store === undefined) {
      const parent = tableView(node.parents[0] as number)
      const { rowView } = node
      return rowView.kind === 'filter' ? { kind: 'filter', parent, predicate: rowView.predicate, negate: rowView.negate } : { kind: 'map-values', parent, mapper: rowView.mapper }
    }
    if (node.kind === 'table-table-join' && node.storeName === undefined) {
      return { kind: 'join', type: node.joinType, left: tableView(node.parents[0] as number), right: tableView(node.parents[1] as number), joiner: node.joiner }
    }
    const storeName = tableStoreOf(node)
    if (storeName === undefined) throw new TopologyError(`Operator "${node.name}" keeps no table rows a join could look up.`)
    return { kind: 'store', storeName, storeType: assembler.storeType(storeName) ?? 'keyValue' }
  }
  const sendsOldValues = (id: number): boolean => {
    const node = byId.get(id)
    if (node === undefined) return true
    if (node.kind === 'table-source' || node.kind === 'stream-to-table' || node.kind === 'foreign-key-join') return isMaterialized(id)
    // With a store of its own, a filter or mapValues sends old values when its parent does (Kafka's
    // KTableFilter constructor) or an operator downstream asked for them.
    if (node.kind === 'table-stateless' && node.store !== undefined) return sendsOldValues(node.parents[0] as number) || optimized.oldValuesRequired?.has(id) === true
    if (node.kind === 'table-stateless') return sendsOldValues(node.parents[0] as number)
    // Kafka's KTableKTableJoin sends old values only once enableSendingOldValues asked for them.
    if (node.kind === 'table-table-join') return optimized.oldValuesRequired?.has(id) === true
    return true
  }
  const ctx: CompileContext = {
    assembler,
    parentsOf: (node) =>
      node.parents.map((id) => {
        const name = outputs.get(id)
        if (name === undefined) {
          const parent = byId.get(id)
          throw new TopologyError(`Operator "${node.name}" follows "${parent?.name ?? id}", which produces no output (a sink or foreach).`)
        }
        return name
      }),
    setOutput: (node, name) => outputs.set(node.id, name),
    sourceTopicsOf: (id) => sourceTopicsOf(byId, id),
    reuseSourceTopics: graph.reuseSourceTopics === true,
    isMaterialized,
    sendsOldValues,
    tableView: (id) => tableView(id),
  }
  for (const node of optimized.nodes) (compilers[node.kind] as NodeCompiler<NodeKind>)(node as never, ctx)
  for (const store of optimized.stores) {
    if (assembler.hasStore(store.name)) {
      throw new TopologyError(`State store "${store.name}" is added twice (addStateStore and an operator). Pick a distinct name.`)
    }
    addOperatorStore(ctx, {
      name: store.name,
      type: store.type,
      keySerde: store.keySerde,
      valueSerde: store.valueSerde,
      valueFormat: 'plain',
      loggingEnabled: store.loggingEnabled,
      ...(store.retentionMs === undefined ? {} : { retentionMs: store.retentionMs }),
      ...(store.windowSizeMs === undefined ? {} : { windowSizeMs: store.windowSizeMs }),
      ...(store.retainDuplicates === undefined ? {} : { retainDuplicates: store.retainDuplicates }),
      storeType: store.storeType,
    })
  }
  return assembler.build()
}

/** The topics whose records reach node `id`: up to the nearest sources and repartition topics. Global tables do not count. */
function sourceTopicsOf(byId: ReadonlyMap<number, LogicalNode>, id: number, seen = new Set<number>()): string[] {
  const node = byId.get(id)
  if (node === undefined || seen.has(id)) return []
  seen.add(id)
  switch (node.kind) {
    case 'stream-source':
      return [...node.topics]
    case 'table-source':
    case 'repartition':
      return [node.topic]
    case 'global-table-source':
    case 'global-store':
      return []
    default:
      return [...new Set(node.parents.flatMap((p) => sourceTopicsOf(byId, p, seen)))]
  }
}

