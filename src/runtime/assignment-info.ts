/**
 * What the group's leader tells each member in its assignment's user data (Kafka Streams'
 * AssignmentInfo): the standby tasks it keeps warm. Its active tasks follow from the partitions
 * it is assigned. A versioned JSON document, like the subscription's.
 *
 * - v1: `{ v, standbyTasks: [<taskId>, ...] }`
 */

const VERSION = 1

export interface AssignmentInfo {
  /** Task ids whose stores this member keeps up to date from their changelogs. */
  readonly standbyTasks: readonly string[]
}

export function encodeAssignmentInfo(info: AssignmentInfo): Buffer {
  return Buffer.from(JSON.stringify({ v: VERSION, standbyTasks: [...info.standbyTasks].sort() }), 'utf8')
}

/** No user data (a single member, whose client assigns it everything) or another client's: no standby tasks. */
export function decodeAssignmentInfo(userData: Buffer | undefined): AssignmentInfo {
  if (userData === undefined || userData.length === 0) return { standbyTasks: [] }
  try {
    const parsed = JSON.parse(userData.toString('utf8')) as { standbyTasks?: unknown }
    const tasks = Array.isArray(parsed.standbyTasks) ? parsed.standbyTasks.filter((t): t is string => typeof t === 'string') : []
    return { standbyTasks: tasks }
  } catch {
    return { standbyTasks: [] }
  }
}
