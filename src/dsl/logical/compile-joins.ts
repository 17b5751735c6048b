import { passThroughProcessor } from '../../processors/pass-through.js'
import { timestampedKeyAndJoinSideSerde, unjoinedValuesSerde } from '../../processors/joins/outer-join-store-serdes.js'
import { streamJoinWindowProcessor } from '../../processors/joins/stream-join-window.js'
import { streamStreamJoinProcessor } from '../../processors/joins/stream-stream-join.js'
import { streamTableJoinProcessor } from '../../processors/joins/stream-table-join.js'
import { tableMaterializeProcessor } from '../../processors/joins/table-materialize.js'
import { tableTableJoinProcessor } from '../../processors/joins/table-table-join.js'
import { tableViewStores } from '../../processors/joins/table-view.js'
import { tableSourceProcessor } from '../../processors/table-source.js'
import type { Serde } from '../../serde/serde.js'
import { addOperatorStore, type CompileContext, keyRef, type NodeCompiler, sourceTableStore, valueRef, windowedStoreKey } from './compile-context.js'
import { compileForeignKeyJoin } from './compile-foreign-key-join.js'
import type { LogicalNode } from './nodes.js'

type JoinKind =
  | 'global-table-source'
  | 'table-materialize'
  | 'stream-stream-join'
  | 'stream-table-join'
  | 'global-table-join'
  | 'table-table-join'
  | 'foreign-key-join'

/** Both inputs of a join must be partitioned alike: the runtime checks the group's partition counts at startup. */
function addCopartitionGroup(ctx: CompileContext, node: LogicalNode): void {
  const topics = [...new Set(node.parents.flatMap((p) => ctx.sourceTopicsOf(p)))]
  if (topics.length > 1) ctx.assembler.addCopartitionGroup(topics)
}

/** A key-value store of a derived table's rows; a windowed table's rows are keyed by key and window. */
function tableRowStore(node: { keySerde: Serde<unknown> | undefined; valueSerde: Serde<unknown> | undefined; windowedKeys: boolean }) {
  return {
    type: 'keyValue' as const,
    keySerde: node.keySerde,
    valueSerde: node.valueSerde,
    valueFormat: 'timestamped' as const,
    loggingEnabled: true,
    ...(node.windowedKeys ? { keyWrap: windowedStoreKey } : {}),
  }
}

/** Compilers of global tables and joins; `compile.ts` merges them into its exhaustive table. */
export const joinCompilers: { readonly [Kind in JoinKind]: NodeCompiler<Kind> } = {
  'global-table-source': (node, ctx) => {
    ctx.assembler.addSource(node.sourceName, [node.topic], keyRef(node.keySerde), valueRef(node.valueSerde), node.timestampExtractor)
    // Like a table's store, the topic is the changelog; unlike it, every instance keeps all partitions.
    ctx.assembler.addGlobalStore(sourceTableStore(node), node.name)
    ctx.assembler.addProcessor(node.name, tableSourceProcessor(node.storeName) as never, [node.sourceName], [node.storeName])
  },
  'table-materialize': (node, ctx) => {
    addOperatorStore(ctx, { ...tableRowStore(node), name: node.storeName })
    ctx.assembler.addProcessor(node.name, tableMaterializeProcessor(node.storeName) as never, ctx.parentsOf(node), [node.storeName])
    ctx.setOutput(node, node.name)
  },
  'stream-stream-join': (node, ctx) => {
    const [leftParent, rightParent] = ctx.parentsOf(node) as [string, string]
    const { beforeMs, afterMs, graceMs } = node.windows
    // Each record is its own window (keyed by its timestamp); it must outlive both look-aheads and the grace.
    const windowSizeMs = Math.max(1, beforeMs + afterMs)
    const retentionMs = Math.max(1, beforeMs + afterMs + graceMs)
    const buffer = {
      type: 'window' as const,
      valueFormat: 'plain' as const,
      keySerde: node.keySerde,
      loggingEnabled: node.loggingEnabled,
      retentionMs,
      windowSizeMs,
      retainDuplicates: true,
      streamJoinStore: 'window-buffer' as const,
      storeType: node.storeType,
    }
    addOperatorStore(ctx, { ...buffer, name: node.thisStoreName, valueSerde: node.leftValueSerde })
    addOperatorStore(ctx, { ...buffer, name: node.otherStoreName, valueSerde: node.rightValueSerde })
    const outer = node.outerStoreName
    if (outer !== undefined) {
      const { leftValueSerde, rightValueSerde } = node
      ctx.assembler.addStore({
        definition: {
          name: outer,
          type: 'keyValue',
          loggingEnabled: node.loggingEnabled,
          cachingEnabled: true,
          streamJoinStore: 'outer-shared',
          ...(node.storeType === undefined ? {} : { storeType: node.storeType }),
        },
        keySerde: { role: 'key', serde: node.keySerde, wrap: (inner) => timestampedKeyAndJoinSideSerde(inner) as Serde<unknown> },
        valueSerde: {
          role: 'value',
          serde: undefined,
          wrap: (fallback) => unjoinedValuesSerde(leftValueSerde ?? fallback, rightValueSerde ?? fallback) as Serde<unknown>,
        },
        valueFormat: 'plain',
        changelogTopic: node.loggingEnabled ? `${outer}-changelog` : undefined,
        changelogIsInternal: node.loggingEnabled,
      })
      if (node.loggingEnabled) {
        ctx.assembler.addInternalTopic({ name: `${outer}-changelog`, purpose: 'changelog', numPartitions: undefined, config: { 'cleanup.policy': 'compact' } })
      }
    }
    const outerStores = outer === undefined ? [] : [outer]
    const common = { outerStoreName: outer, windows: node.windows, joiner: node.joiner }
    ctx.assembler.addProcessor(node.thisWindowName, streamJoinWindowProcessor(node.thisStoreName, retentionMs) as never, [leftParent], [node.thisStoreName])
    ctx.assembler.addProcessor(node.otherWindowName, streamJoinWindowProcessor(node.otherStoreName, retentionMs) as never, [rightParent], [node.otherStoreName])
    ctx.assembler.addProcessor(
      node.thisJoinName,
      streamStreamJoinProcessor({ ...common, side: 'left', otherStoreName: node.otherStoreName, outer: node.joinType !== 'inner' }),
      [node.thisWindowName],
      [node.otherStoreName, ...outerStores],
    )
    ctx.assembler.addProcessor(
      node.otherJoinName,
      streamStreamJoinProcessor({ ...common, side: 'right', otherStoreName: node.thisStoreName, outer: node.joinType === 'outer' }),
      [node.otherWindowName],
      [node.thisStoreName, ...outerStores],
    )
    ctx.assembler.addProcessor(node.name, passThroughProcessor() as never, [node.thisJoinName, node.otherJoinName])
    addCopartitionGroup(ctx, node)
    ctx.setOutput(node, node.name)
  },
  'stream-table-join': (node, ctx) => {
    const [streamParent] = ctx.parentsOf(node) as [string, string]
    // The table side reaches the join through its view only (its store, or its parents'): table
    // updates never trigger output.
    const view = ctx.tableView(node.parents[1] as number)
    ctx.assembler.addProcessor(node.name, streamTableJoinProcessor({ view, left: node.left, joiner: node.joiner }), [streamParent], tableViewStores(view))
    addCopartitionGroup(ctx, node)
    ctx.setOutput(node, node.name)
  },
  'global-table-join': (node, ctx) => {
    ctx.assembler.addProcessor(
      node.name,
      streamTableJoinProcessor({ storeName: node.storeName, left: node.left, joiner: node.joiner, keyMapper: node.keyMapper }),
      ctx.parentsOf(node),
      [node.storeName],
    )
    ctx.setOutput(node, node.name)
  },
  'table-table-join': (node, ctx) => {
    const [leftParent, rightParent] = ctx.parentsOf(node) as [string, string]
    const { joinType: type, joiner } = node
    // Each side reads the other's current row through its view (Kafka Streams' value getters): the
    // store that keeps it (a windowed aggregation's window or session store, or a key-value store),
    // or, for a filter, mapValues or table join without a store, its parents' rows.
    const leftView = ctx.tableView(node.parents[0] as number)
    const rightView = ctx.tableView(node.parents[1] as number)
    const sendOldValues = ctx.sendsOldValues(node.id)
    ctx.assembler.addProcessor(node.thisName, tableTableJoinProcessor({ side: 'left', type, joiner, otherView: rightView, sendOldValues }), [leftParent], tableViewStores(rightView))
    ctx.assembler.addProcessor(node.otherName, tableTableJoinProcessor({ side: 'right', type, joiner, otherView: leftView, sendOldValues }), [rightParent], tableViewStores(leftView))
    if (node.storeName === undefined) {
      ctx.assembler.addProcessor(node.name, passThroughProcessor() as never, [node.thisName, node.otherName])
    } else {
      addOperatorStore(ctx, { ...tableRowStore(node), name: node.storeName, cachingEnabled: node.cachingEnabled, storeType: node.storeType })
      ctx.assembler.addProcessor(node.name, tableMaterializeProcessor(node.storeName) as never, [node.thisName, node.otherName], [node.storeName])
    }
    addCopartitionGroup(ctx, node)
    ctx.setOutput(node, node.name)
  },
  'foreign-key-join': compileForeignKeyJoin,
}
