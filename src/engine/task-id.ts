import { ConfigError } from '../core/errors.js'
import type { Topology } from '../topology/topology.js'
import type { Subtopology } from '../topology/types.js'
import type { TopicPartition } from './types.js'

/** A task's identity: sub-topology and partition, written `<subtopology>_<partition>` as in Kafka Streams. */
export interface TaskId {
  readonly subtopology: number
  readonly partition: number
}

export function formatTaskId(id: TaskId): string {
  return `${id.subtopology}_${id.partition}`
}

export function parseTaskId(text: string): TaskId {
  const match = /^(\d+)_(\d+)$/.exec(text)
  if (match === null) throw new ConfigError(`"${text}" is not a task id; task ids look like <subtopology>_<partition>, e.g. 0_3.`)
  return { subtopology: Number(match[1]), partition: Number(match[2]) }
}

/** A task to create: its sub-topology and the input partitions it reads (full topic names). */
export interface TaskSpec {
  readonly id: TaskId
  readonly subtopology: Subtopology
  readonly inputs: readonly TopicPartition[]
  /** Tasks of the sub-topology: every one of them writes to every partition of its repartition topics. Default 1. */
  readonly subtopologyTasks?: number
  /** The repartition topics the sub-topology writes (full names) and their partition counts, where known. */
  readonly repartitionOutputs?: readonly { readonly topic: string; readonly partitions: number }[]
}

/**
 * The tasks a topology needs: one per sub-topology and partition, where a sub-topology has as
 * many partitions as its largest source topic. Global sub-topologies create no task (every
 * instance reads their topics in full). `partitionCounts` is keyed by full topic name
 * (`<applicationId>-...-repartition` for internal topics).
 */
export function tasksForTopology(topology: Topology, applicationId: string, partitionCounts: ReadonlyMap<string, number>): TaskSpec[] {
  const tasks: TaskSpec[] = []
  for (const subtopology of topology.subtopologies) {
    if (subtopology.global === true) continue
    const counts = subtopology.sourceTopics.map((relative) => {
      const topic = topology.topicName(relative, applicationId)
      const count = partitionCounts.get(topic)
      if (count === undefined || !Number.isInteger(count) || count < 1) {
        throw new ConfigError(
          `No partition count for topic "${topic}" (read by sub-topology ${subtopology.id}). ` +
            `Create the topic before starting the application, or pass its partition count.`,
        )
      }
      return { topic, count }
    })
    const partitions = Math.max(...counts.map((c) => c.count))
    const repartitionOutputs = repartitionTopicsWritten(topology, subtopology).flatMap((relative) => {
      const topic = topology.topicName(relative, applicationId)
      const count = partitionCounts.get(topic)
      return count === undefined ? [] : [{ topic, partitions: count }]
    })
    for (let partition = 0; partition < partitions; partition++) {
      tasks.push({
        id: { subtopology: subtopology.id, partition },
        subtopology,
        inputs: counts.filter((c) => partition < c.count).map((c) => ({ topic: c.topic, partition })),
        subtopologyTasks: partitions,
        repartitionOutputs,
      })
    }
  }
  return tasks
}

/** The repartition topics (relative names) that sink nodes of `subtopology` write. */
export function repartitionTopicsWritten(topology: Topology, subtopology: Subtopology): string[] {
  const topics = new Set<string>()
  for (const name of subtopology.nodes) {
    const node = topology.node(name)
    if (node.type === 'sink' && typeof node.topic === 'string' && topology.internalTopics.get(node.topic)?.purpose === 'repartition') topics.add(node.topic)
  }
  return [...topics]
}

/** The sub-topologies whose sinks write the repartition topic `relative`. */
export function repartitionWriters(topology: Topology, relative: string): number[] {
  return topology.subtopologies.filter((s) => s.global !== true && repartitionTopicsWritten(topology, s).includes(relative)).map((s) => s.id)
}
