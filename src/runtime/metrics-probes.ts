import { join } from 'node:path'
import { directoryBytes } from './directory-bytes.js'
import type { KafkaAdmin, KafkaConsumer, TopicPartition } from '../kafka/types.js'
import type { KeyValueStore } from '../state/types.js'
import type { Topology } from '../topology/topology.js'
import type { StateDirectory } from '../engine/state-directory.js'
import type { StreamTask } from '../engine/stream-task.js'
import type { PartitionLag, StoreSize } from './streams-metrics.js'

/**
 * The parts of a metrics snapshot that ask something outside the process (the cluster, the
 * disk): read only when `metrics()` is called, never on the processing path.
 */

/** End offset minus committed offset for each partition; `undefined` when the cluster cannot be asked. */
export async function readConsumerLag(
  consumer: Pick<KafkaConsumer, 'committed'>,
  admin: Pick<KafkaAdmin, 'listOffsets'>,
  partitions: readonly TopicPartition[],
): Promise<PartitionLag[] | undefined> {
  if (partitions.length === 0) return []
  try {
    const byTopic = new Map<string, number[]>()
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition])
    const committed = new Map((await consumer.committed(partitions)).map((o) => [`${o.topic}\u0000${o.partition}`, o.offset]))
    const lags: PartitionLag[] = []
    for (const [topic, numbers] of [...byTopic].sort(([a], [b]) => a.localeCompare(b))) {
      const ends = await admin.listOffsets(topic, numbers, 'latest')
      const uncommitted = numbers.filter((n) => !committed.has(`${topic}\u0000${n}`))
      // Without a committed offset the group starts at the log start, so the lag counts from there.
      const starts = uncommitted.length === 0 ? new Map<number, bigint>() : await admin.listOffsets(topic, uncommitted, 'earliest')
      for (const partition of [...numbers].sort((a, b) => a - b)) {
        const end = ends.get(partition) ?? 0n
        const offset = committed.get(`${topic}\u0000${partition}`)
        const from = offset ?? starts.get(partition) ?? 0n
        lags.push({ topic, partition, endOffset: Number(end), committedOffset: offset === undefined ? undefined : Number(offset), lag: Math.max(0, Number(end - from)) })
      }
    }
    return lags
  } catch {
    // Metrics never fail because the cluster is unreachable; the lag is simply unknown.
    return undefined
  }
}

/** Entries of key-value stores and bytes of persistent stores' files, per task and store. */
export async function measureStores(topology: Topology, tasks: readonly StreamTask[], stateDirectory: StateDirectory): Promise<StoreSize[]> {
  const sizes: StoreSize[] = []
  for (const task of tasks) {
    for (const storeName of task.spec.subtopology.stores) {
      const spec = topology.stores.get(storeName)
      let store
      try {
        store = task.stateStore(storeName)
      } catch {
        continue // the task was closed while the snapshot was taken
      }
      if (spec === undefined || !store.isOpen) continue
      const approximateEntries = spec.definition.type === 'keyValue' ? await (store as KeyValueStore<unknown, unknown>).approximateNumEntries() : undefined
      const bytesOnDisk = store.persistent ? await directoryBytes(join(stateDirectory.taskDir(task.taskId), 'rocksdb', storeName)) : undefined
      sizes.push({ storeName, taskId: task.taskId, approximateEntries, bytesOnDisk })
    }
  }
  return sizes.sort((a, b) => a.storeName.localeCompare(b.storeName) || a.taskId.localeCompare(b.taskId))
}
