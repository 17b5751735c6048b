import { ConfigError } from '../core/errors.js'
import type { Topology } from './topology.js'
import type { Subtopology } from './types.js'

export interface PartitionCountSources {
  /**
   * The count a topic already has (relative name for internal topics): every user topic, and any
   * internal topic whose count is fixed from outside (a test driver's declared topic). Undefined
   * for an internal topic whose count is to be worked out.
   */
  known(relativeTopic: string): number | undefined
  /** How to name a topic in an error message (the runtime prefixes internal topics with the application id). */
  display?(relativeTopic: string): string
}

/**
 * Works out how many partitions each internal topic gets, as Kafka Streams' RepartitionTopics and
 * CopartitionedTopicsEnforcer do:
 *
 * - a repartition topic in a co-partition group (an input of a join) gets the partition count of the
 *   group's user topics, which must agree; with only repartition topics in the group, the count one
 *   of them was given explicitly (`repartition({ numPartitions })`), else the largest count they
 *   would get on their own. So a table re-keyed from a 1-partition topic joins a 6-partition stream.
 * - any other repartition topic gets the largest partition count of the sub-topology writing it.
 * - a changelog gets the largest partition count of the sub-topology owning its store.
 *
 * Returns a function from a relative topic name to its count; asked about any topic of a group, it
 * throws a ConfigError when the group cannot be co-partitioned, and when a count cannot be found.
 */
export function partitionCountResolver(topology: Topology, sources: PartitionCountSources): (relativeTopic: string) => number {
  const display = (topic: string) => sources.display?.(topic) ?? topic
  const groups = mergedCopartitionGroups(topology.copartitionGroups)
  const groupOf = new Map<string, readonly string[]>()
  for (const group of groups) for (const topic of group) groupOf.set(topic, group)
  const resolved = new Map<string, number>()
  const groupCounts = new Map<readonly string[], number>()
  const resolving = new Set<string>()

  const isRepartition = (topic: string) => topology.internalTopics.get(topic)?.purpose === 'repartition'
  /** A count fixed before any resolution: the topic's own, or an explicit `numPartitions`. */
  const fixedCount = (topic: string): number | undefined => sources.known(topic) ?? topology.internalTopics.get(topic)?.numPartitions

  const subtopologyCount = (subtopology: Subtopology): number => Math.max(1, ...subtopology.sourceTopics.map((t) => countOf(t)))

  /** The count a topic would get on its own, from the sub-topology that writes (or owns) it. */
  const upstreamCount = (topic: string): number => {
    const spec = topology.internalTopics.get(topic)
    if (spec === undefined) throw new ConfigError(`No partition count for topic "${display(topic)}".`)
    if (resolving.has(topic)) {
      throw new ConfigError(`The partition count of "${display(topic)}" depends on itself; give the repartition an explicit numPartitions.`)
    }
    resolving.add(topic)
    try {
      return subtopologyCount(spec.purpose === 'changelog' ? ownerOfChangelog(topology, topic) : writerOf(topology, topic))
    } finally {
      resolving.delete(topic)
    }
  }

  const groupCount = (group: readonly string[]): number => {
    const cached = groupCounts.get(group)
    if (cached !== undefined) return cached
    const userTopics = group.filter((t) => !isRepartition(t))
    const userCounts = userTopics.map((t) => ({ topic: t, count: fixedCount(t) }))
    if (new Set(userCounts.map((u) => u.count)).size > 1) {
      throw new ConfigError(
        `Topics joined together must be co-partitioned (same number of partitions), but ` +
          `${userCounts.map((u) => `"${display(u.topic)}" has ${u.count ?? 'no'} partitions`).join(', ')}. ` +
          `Recreate the topics with one partition count, or repartition one side with repartition({ numPartitions }).`,
      )
    }
    const repartitions = group.filter(isRepartition)
    const enforced = repartitions.flatMap((t) => {
      const count = fixedCount(t)
      return count === undefined ? [] : [{ topic: t, count }]
    })
    let count = userCounts[0]?.count ?? enforced[0]?.count
    if (count === undefined) {
      // Only repartition topics, none with a fixed count: the largest, so that no writer loses parallelism.
      count = Math.max(1, ...repartitions.map(upstreamCount))
    }
    for (const { topic, count: own } of enforced) {
      if (own !== count) {
        throw new ConfigError(
          `Repartition topic "${display(topic)}" has ${own} partitions, but the topics it is joined with need ${count}. ` +
            `Drop its numPartitions (it then follows the join's other inputs) or give every input ${own} partitions.`,
        )
      }
    }
    groupCounts.set(group, count)
    return count
  }

  const countOf = (topic: string): number => {
    const cached = resolved.get(topic)
    if (cached !== undefined) return cached
    // Any topic of a group checks the whole group, so that disagreeing user topics fail early too.
    const group = groupOf.get(topic)
    const groupSize = group === undefined ? undefined : groupCount(group)
    const count = isRepartition(topic) && groupSize !== undefined ? groupSize : (fixedCount(topic) ?? groupSize ?? upstreamCount(topic))
    resolved.set(topic, count)
    return count
  }
  return countOf
}

/** Co-partition groups that share a topic must all line up together: merge them. */
function mergedCopartitionGroups(groups: readonly (readonly string[])[]): string[][] {
  const merged: Set<string>[] = []
  for (const group of groups) {
    const overlapping = merged.filter((m) => group.some((t) => m.has(t)))
    const union = new Set<string>(group)
    for (const m of overlapping) {
      for (const t of m) union.add(t)
      merged.splice(merged.indexOf(m), 1)
    }
    merged.push(union)
  }
  return merged.map((m) => [...m])
}

function writerOf(topology: Topology, relative: string): Subtopology {
  const writer = topology.subtopologies.find((s) =>
    s.nodes.some((name) => {
      const node = topology.nodes.get(name)
      return node?.type === 'sink' && node.topic === relative
    }),
  )
  if (writer === undefined) throw new ConfigError(`No sub-topology writes the repartition topic "${relative}"; give it an explicit numPartitions.`)
  return writer
}

function ownerOfChangelog(topology: Topology, relative: string): Subtopology {
  for (const [storeName, store] of topology.stores) {
    if (store.changelogTopic !== relative) continue
    const owner = topology.subtopologies.find((s) => s.stores.includes(storeName))
    if (owner !== undefined) return owner
  }
  throw new ConfigError(`No sub-topology owns the store backed up by "${relative}".`)
}
