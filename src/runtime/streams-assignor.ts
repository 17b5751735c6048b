import type { GroupAssignor, TopicPartition } from '../kafka/types.js'
import { formatTaskId, type TaskSpec } from '../engine/task-id.js'
import { storeChangelog } from '../engine/task-stores.js'
import type { Topology } from '../topology/topology.js'
import { encodeAssignmentInfo } from './assignment-info.js'
import { decodeSubscriptionInfo } from './subscription-info.js'
import { assignTasks } from './task-assignor.js'
import { agreeOnWatermarks, watermarksMismatch, type WatermarksMode } from './watermarks-agreement.js'

export interface StreamsAssignorOptions {
  readonly specs: readonly TaskSpec[]
  /** Tasks with stores backed by changelogs. */
  readonly statefulTasks: ReadonlySet<string>
  readonly numStandbyReplicas: number
  readonly applicationId: string
  /** The leader's own setting: it decides a tie (see `agreeOnWatermarks`). */
  readonly watermarks: WatermarksMode
}

/**
 * The group assignor of a Tributary application (Kafka Streams' StreamsPartitionAssignor): it
 * places tasks, not partitions. Each member's subscription says how much of each task's state it
 * holds; `assignTasks` places the active and standby copies; each member is assigned the input
 * partitions of its active tasks, and told its standby tasks in its assignment's user data.
 */
export function streamsAssignor(options: StreamsAssignorOptions): GroupAssignor {
  const inputs = new Map(options.specs.map((spec) => [formatTaskId(spec.id), spec.inputs]))
  const tasks = [...inputs.keys()].map((id) => ({ id, stateful: options.statefulTasks.has(id) }))
  return (members) => {
    const subscriptions = members.map((m) => ({ id: m.memberId, info: decodeSubscriptionInfo(m.userData) }))
    // Members on another watermarks setting than the group's get no task, and are told why.
    const group = agreeOnWatermarks(subscriptions.map((s) => s.info.watermarks), options.watermarks)
    const refused = subscriptions.filter((s) => s.info.watermarks !== group)
    const clients = subscriptions.filter((s) => s.info.watermarks === group).map((s) => ({ id: s.id, offsetSums: s.info.taskOffsetSums }))
    const plan = assignTasks(tasks, clients, options.numStandbyReplicas)
    const assignments = new Map<string, { partitions: TopicPartition[]; userData: Buffer }>()
    for (const [memberId, assigned] of plan) {
      assignments.set(memberId, { partitions: assigned.active.flatMap((id) => inputs.get(id) ?? []), userData: encodeAssignmentInfo({ standbyTasks: assigned.standby }) })
    }
    for (const s of refused) {
      assignments.set(s.id, { partitions: [], userData: encodeAssignmentInfo({ standbyTasks: [], error: watermarksMismatch(options.applicationId, group, s.info.watermarks) }) })
    }
    return assignments
  }
}

/** The tasks with at least one store backed by a changelog (or a source topic reused as one): their state is worth keeping warm. */
export function statefulTaskIds(topology: Topology, specs: readonly TaskSpec[], applicationId: string): Set<string> {
  const ids = new Set<string>()
  for (const spec of specs) {
    if (spec.subtopology.stores.some((name) => storeChangelog(topology, name, applicationId) !== undefined)) ids.add(formatTaskId(spec.id))
  }
  return ids
}
