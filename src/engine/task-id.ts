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
    for (let partition = 0; partition < partitions; partition++) {
      tasks.push({
        id: { subtopology: subtopology.id, partition },
        subtopology,
        inputs: counts.filter((c) => partition < c.count).map((c) => ({ topic: c.topic, partition })),
      })
    }
  }
  return tasks
}
