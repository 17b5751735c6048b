/**
 * What a member tells the group's leader in its subscription's user data (Kafka Streams'
 * SubscriptionInfo): where it answers interactive queries, and how much of each task's state it
 * holds, so that the leader can give a task to the instance that restores it fastest. A small
 * versioned JSON document: a later release can add fields and still read what older members say.
 *
 * - v1: `{ v, applicationServer? }`
 * - v2: `{ v, applicationServer?, taskOffsetSums: { <taskId>: <sum> } }`
 * - v3: `{ v, applicationServer?, taskOffsetSums, watermarks: 'off' | 'upstream' }`
 */

import type { WatermarksMode } from './watermarks-agreement.js'

const VERSION = 3

/** The offset sum a member reports for a task it runs as active: fully caught up (Kafka Streams' `Task.LATEST_OFFSET`). */
export const RUNNING_ACTIVE = -2

export interface SubscriptionInfo {
  /** The member's `applicationServer`, if it advertises one. */
  readonly applicationServer?: string
  /**
   * Per task id, the sum over the task's changelog partitions of the next offset its local stores
   * hold everything below (from its checkpoint, or a standby's position), or `RUNNING_ACTIVE`.
   * Tasks without local state are absent.
   */
  readonly taskOffsetSums: ReadonlyMap<string, number>
  /** The member's `watermarks` setting ('off' for members that do not say: older releases). */
  readonly watermarks: WatermarksMode
}

export function encodeSubscriptionInfo(info: SubscriptionInfo): Buffer {
  const document: { v: number; applicationServer?: string; taskOffsetSums: Record<string, number>; watermarks: WatermarksMode } = {
    v: VERSION,
    ...(info.applicationServer === undefined ? {} : { applicationServer: info.applicationServer }),
    taskOffsetSums: Object.fromEntries(info.taskOffsetSums),
    watermarks: info.watermarks,
  }
  return Buffer.from(JSON.stringify(document), 'utf8')
}

/** What a member advertised; user data of another client (or none) reads as an empty subscription. */
export function decodeSubscriptionInfo(userData: Buffer | undefined): SubscriptionInfo {
  const empty: SubscriptionInfo = { taskOffsetSums: new Map(), watermarks: 'off' }
  if (userData === undefined || userData.length === 0) return empty
  let parsed: unknown
  try {
    parsed = JSON.parse(userData.toString('utf8'))
  } catch {
    return empty
  }
  if (parsed === null || typeof parsed !== 'object') return empty
  const { applicationServer, taskOffsetSums, watermarks } = parsed as { applicationServer?: unknown; taskOffsetSums?: unknown; watermarks?: unknown }
  const sums = new Map<string, number>()
  if (taskOffsetSums !== null && typeof taskOffsetSums === 'object') {
    for (const [taskId, sum] of Object.entries(taskOffsetSums)) if (typeof sum === 'number' && Number.isFinite(sum)) sums.set(taskId, sum)
  }
  return { ...(typeof applicationServer === 'string' ? { applicationServer } : {}), taskOffsetSums: sums, watermarks: watermarks === 'upstream' ? 'upstream' : 'off' }
}
