/**
 * What the group's leader tells each member in its assignment's user data (Kafka Streams'
 * AssignmentInfo): the standby tasks it keeps warm. Its active tasks follow from the partitions
 * it is assigned. A versioned JSON document, like the subscription's.
 *
 * - v1: `{ v, standbyTasks: [<taskId>, ...] }`
 * - v2: `{ v, standbyTasks, error? }`: `error` refuses the member (it then fails with that message)
 */

const VERSION = 2

export interface AssignmentInfo {
  /** Task ids whose stores this member keeps up to date from their changelogs. */
  readonly standbyTasks: readonly string[]
  /** Set when the leader refuses the member (a setting the group does not share): no tasks, and why. */
  readonly error?: string
}

export function encodeAssignmentInfo(info: AssignmentInfo): Buffer {
  return Buffer.from(JSON.stringify({ v: VERSION, standbyTasks: [...info.standbyTasks].sort(), ...(info.error === undefined ? {} : { error: info.error }) }), 'utf8')
}

/** No user data (a single member, whose client assigns it everything) or another client's: no standby tasks. */
export function decodeAssignmentInfo(userData: Buffer | undefined): AssignmentInfo {
  if (userData === undefined || userData.length === 0) return { standbyTasks: [] }
  try {
    const parsed = JSON.parse(userData.toString('utf8')) as { standbyTasks?: unknown; error?: unknown }
    const tasks = Array.isArray(parsed.standbyTasks) ? parsed.standbyTasks.filter((t): t is string => typeof t === 'string') : []
    return { standbyTasks: tasks, ...(typeof parsed.error === 'string' ? { error: parsed.error } : {}) }
  } catch {
    return { standbyTasks: [] }
  }
}
