import type { StateDirectory } from '../engine/state-directory.js'
import { RUNNING_ACTIVE } from './subscription-info.js'

export interface LocalTasks {
  readonly stateDirectory: Pick<StateDirectory, 'taskIds' | 'readCheckpoint'>
  /** The tasks of this application's topology: other directories are ignored. */
  readonly known: ReadonlySet<string>
  /** The tasks this instance runs as active. */
  readonly active: () => Iterable<string>
  /** The standby tasks it keeps, with the sum of their positions (fresher than their checkpoints). */
  readonly standbys: () => ReadonlyMap<string, number>
}

/**
 * How much of each task's state this instance holds, for its subscription (Kafka Streams'
 * `getTaskOffsetSums`): `RUNNING_ACTIVE` for the tasks it runs, a standby's position, else the
 * sum of the offsets in the task directory's checkpoint. A directory without a checkpoint holds
 * nothing usable (its task did not close cleanly) and is not reported. Synchronous and cheap
 * (small files): it runs each time the member joins the group.
 */
export function localTaskOffsetSums(local: LocalTasks): Map<string, number> {
  const sums = new Map<string, number>()
  const active = new Set(local.active())
  const standbys = local.standbys()
  for (const taskId of local.stateDirectory.taskIds()) {
    if (!local.known.has(taskId) || active.has(taskId) || standbys.has(taskId)) continue
    try {
      const checkpoint = local.stateDirectory.readCheckpoint(taskId)
      if (checkpoint.length > 0) sums.set(taskId, checkpoint.reduce((sum, o) => sum + Number(o.offset), 0))
    } catch {
      // A corrupt checkpoint: the task restores from the beginning wherever it goes.
    }
  }
  for (const [taskId, sum] of standbys) sums.set(taskId, sum)
  for (const taskId of active) sums.set(taskId, RUNNING_ACTIVE)
  return sums
}
