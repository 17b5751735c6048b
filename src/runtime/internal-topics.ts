import { ConfigError } from '../core/errors.js'
import type { KafkaAdmin, TopicSpec } from '../kafka/types.js'
import type { Topology } from '../topology/topology.js'
import { partitionCountResolver } from '../topology/partition-counts.js'

/** What the application reads and owns on the cluster, with full topic names. */
export interface TopicLayout {
  /** Partition count of every topic a task reads, internal ones included. */
  readonly partitionCounts: Map<string, number>
  /** Every topic the consumer group subscribes to. */
  readonly sourceTopics: string[]
  /** The co-partition groups, full names. */
  readonly copartitionGroups: string[][]
  /** Full names of the repartition topics (purged after each commit). */
  readonly repartitionTopics: Set<string>
}

/**
 * Works out the partition counts of the internal topics from the user topics (which must exist; see
 * `partitionCountResolver`: a join's repartition topics take the count of its other inputs),
 * creates the internal topics (changelogs compacted, repartition topics with their configs) and
 * checks that every co-partition group really has one partition count on the cluster.
 */
export async function prepareTopics(topology: Topology, applicationId: string, admin: KafkaAdmin): Promise<TopicLayout> {
  const full = (relative: string) => topology.topicName(relative, applicationId)
  const external = [...new Set(topology.subtopologies.flatMap((s) => s.sourceTopics).filter((t) => !topology.internalTopics.has(t)))]
  const described = await admin.describeTopics(external)
  const missing = external.filter((t) => !described.has(t))
  if (missing.length > 0) {
    throw new ConfigError(`Input topic(s) ${missing.map((t) => `"${t}"`).join(', ')} do not exist. Create them before starting the application.`)
  }
  const counts = new Map<string, number>()
  for (const topic of external) counts.set(topic, described.get(topic) as number)

  // Repartition topics of a join follow the join's other inputs; the rest follow their writers.
  const countOf = partitionCountResolver(topology, { known: (relative) => (topology.internalTopics.has(relative) ? undefined : counts.get(relative)), display: full })
  const topicCount = (relative: string): number => {
    const count = countOf(relative)
    counts.set(full(relative), count)
    return count
  }

  const specs: TopicSpec[] = []
  const repartitionTopics = new Set<string>()
  for (const [relative, spec] of topology.internalTopics) {
    const configs: Record<string, string> = { ...spec.config }
    if (spec.purpose === 'changelog') configs['cleanup.policy'] = 'compact'
    else {
      configs['cleanup.policy'] ??= 'delete'
      repartitionTopics.add(full(relative))
    }
    specs.push({ name: full(relative), partitions: topicCount(relative), configs })
  }
  if (specs.length > 0) await admin.createTopics(specs)

  const copartitionGroups = topology.copartitionGroups.map((group) => group.map(full))
  const grouped = [...new Set(copartitionGroups.flat())]
  if (grouped.length > 0) {
    // The real counts: an internal topic created earlier with another count is left as it was.
    const real = await admin.describeTopics(grouped)
    for (const group of copartitionGroups) {
      const found = group.map((topic) => ({ topic, count: real.get(topic) }))
      if (new Set(found.map((f) => f.count)).size > 1) {
        throw new ConfigError(
          `Topics joined together must be co-partitioned (same number of partitions), but ` +
            `${found.map((f) => `"${f.topic}" has ${f.count ?? 'no'} partitions`).join(', ')}. ` +
            `Recreate the topics with one partition count, or repartition one side with repartition({ numPartitions }).`,
        )
      }
    }
    for (const [topic, count] of real) counts.set(topic, count)
  }
  const sourceTopics = [...new Set(topology.subtopologies.filter((s) => s.global !== true).flatMap((s) => s.sourceTopics.map(full)))]
  return { partitionCounts: counts, sourceTopics, copartitionGroups, repartitionTopics }
}
