import { isPromiseLike, type MaybePromise } from '../../core/maybe-promise.js'
import { foreignTableJoinProcessor } from '../../processors/joins/foreign-key/foreign-table-join.js'
import { murmur3Hash128 } from '../../processors/joins/foreign-key/murmur3.js'
import { responseJoinProcessor } from '../../processors/joins/foreign-key/response-join.js'
import { subscribersSerde, subscriptionResponseSerde, subscriptionSerde } from '../../processors/joins/foreign-key/subscription.js'
import { subscriptionJoinProcessor, subscriptionReceiveProcessor } from '../../processors/joins/foreign-key/subscription-receive.js'
import { subscriptionSendProcessor } from '../../processors/joins/foreign-key/subscription-send.js'
import { tableViewStores } from '../../processors/joins/table-view.js'
import { tableSourceProcessor } from '../../processors/table-source.js'
import { jsonSerde } from '../../serde/primitive.js'
import type { Serde } from '../../serde/serde.js'
import { addOperatorStore, type CompileContext, keyRef, type NodeCompiler } from './compile-context.js'

/**
 * A foreign-key join compiles to Kafka Streams' round trip (KIP-213): the left table sends
 * subscriptions keyed by foreign key through `<...>-SUBSCRIPTION-REGISTRATION-<n>-topic` to the right
 * table's partitions; the right side stores them and answers through `<...>-SUBSCRIPTION-RESPONSE-<n>-topic`,
 * keyed by the left key again, where the answer is joined with the left row if it is still current.
 */
export const compileForeignKeyJoin: NodeCompiler<'foreign-key-join'> = (node, ctx) => {
  const [leftParent, rightParent] = ctx.parentsOf(node) as [string, string]
  const [leftId, rightId] = node.parents as [number, number]
  const { names } = node
  // Only equality matters (is the answer for the current left value?): any stable serialization will do.
  const valueSerde = node.leftValueSerde ?? (jsonSerde() as Serde<unknown>)
  const hashOf = (value: unknown): MaybePromise<Buffer> => {
    const bytes = valueSerde.serialize(value, { topic: node.subscriptionTopic, isKey: false })
    return isPromiseLike(bytes) ? bytes.then(murmur3Hash128) : murmur3Hash128(bytes)
  }
  const subscriptionValue = { role: 'key' as const, serde: node.leftKeySerde, wrap: (pk: Serde<unknown>) => subscriptionSerde(pk) as Serde<unknown> }
  const responseValue = { role: 'value' as const, serde: node.rightValueSerde, wrap: (v: Serde<unknown>) => subscriptionResponseSerde(v) as Serde<unknown> }
  const internalTopic = (name: string): void =>
    ctx.assembler.addInternalTopic({ name, purpose: 'repartition', numPartitions: undefined, config: { 'cleanup.policy': 'delete' } })

  // Left table -> subscription topic, keyed by foreign key.
  ctx.assembler.addProcessor(
    names.subscriptionSend,
    subscriptionSendProcessor({ left: node.left, foreignKeyExtractor: node.foreignKeyExtractor, hashOf }),
    [leftParent],
  )
  internalTopic(node.subscriptionTopic)
  ctx.assembler.addSink(names.subscriptionSink, node.subscriptionTopic, keyRef(node.rightKeySerde), subscriptionValue, [names.subscriptionSend])

  // Right side: remember the subscription, answer it, and answer again on every right-row change.
  ctx.assembler.addSource(names.subscriptionSource, [node.subscriptionTopic], keyRef(node.rightKeySerde), subscriptionValue)
  ctx.assembler.addStore({
    definition: { name: node.subscriptionStoreName, type: 'keyValue', loggingEnabled: true, cachingEnabled: true },
    keySerde: keyRef(node.rightKeySerde),
    valueSerde: { role: 'key', serde: node.leftKeySerde, wrap: (pk) => subscribersSerde(pk) as Serde<unknown> },
    valueFormat: 'plain',
    changelogTopic: `${node.subscriptionStoreName}-changelog`,
    changelogIsInternal: true,
  })
  ctx.assembler.addInternalTopic({ name: `${node.subscriptionStoreName}-changelog`, purpose: 'changelog', numPartitions: undefined, config: { 'cleanup.policy': 'compact' } })
  ctx.assembler.addProcessor(names.subscriptionReceive, subscriptionReceiveProcessor(node.subscriptionStoreName), [names.subscriptionSource], [node.subscriptionStoreName])
  // Each side reads the other table's rows through its view (Kafka's value getters).
  const rightView = ctx.tableView(rightId)
  ctx.assembler.addProcessor(names.subscriptionJoinForeign, subscriptionJoinProcessor(rightView), [names.subscriptionReceive], tableViewStores(rightView))
  ctx.assembler.addProcessor(names.foreignTableJoin, foreignTableJoinProcessor(node.subscriptionStoreName), [rightParent], [node.subscriptionStoreName])
  internalTopic(node.responseTopic)
  ctx.assembler.addSink(names.responseSink, node.responseTopic, keyRef(node.leftKeySerde), responseValue, [names.subscriptionJoinForeign, names.foreignTableJoin])

  // Left side again: join the answer with the current left row, keep the result table.
  const leftView = ctx.tableView(leftId)
  ctx.assembler.addSource(names.responseSource, [node.responseTopic], keyRef(node.leftKeySerde), responseValue)
  ctx.assembler.addProcessor(
    names.responseResolve,
    responseJoinProcessor({ leftView, left: node.left, joiner: node.joiner, hashOf }),
    [names.responseSource],
    tableViewStores(leftView),
  )
  // The result keeps a store (and changelog) only if named or read downstream, as in Kafka.
  if (ctx.isMaterialized(node.id)) {
    addOperatorStore(ctx, {
      name: node.resultStoreName,
      type: 'keyValue',
      keySerde: node.leftKeySerde,
      valueSerde: node.resultValueSerde,
      valueFormat: 'timestamped',
      loggingEnabled: true,
      cachingEnabled: node.cachingEnabled,
      storeType: node.storeType,
    })
    ctx.assembler.addProcessor(node.name, tableSourceProcessor(node.resultStoreName) as never, [names.responseResolve], [node.resultStoreName])
  } else {
    ctx.assembler.addProcessor(node.name, tableSourceProcessor(undefined) as never, [names.responseResolve], [])
  }

  // The subscription topic must line up with the right table, the response topic with the left one.
  addGroup(ctx, [node.subscriptionTopic, ...ctx.sourceTopicsOf(rightId)])
  addGroup(ctx, [node.responseTopic, ...ctx.sourceTopicsOf(leftId)])
  ctx.setOutput(node, node.name)
}

function addGroup(ctx: CompileContext, topics: string[]): void {
  ctx.assembler.addCopartitionGroup([...new Set(topics)])
}
