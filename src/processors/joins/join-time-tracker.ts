import type { StateStore } from '../../state/types.js'

/**
 * Stream time as seen by both sides of one stream-stream join in one task: the largest timestamp of
 * any record that reached either side. The outer (left/outer) join decides from it when a window has
 * closed, so records filtered out before the join do not advance it (Kafka Streams' TimeTracker).
 */
export interface JoinTimeTracker {
  streamTime: number
  /** The smallest timestamp that may still sit in the shared outer store; -Infinity: unknown (scan once). */
  minTime: number
}

// Both join processors of a task reach the same store instances, so a store keys the tracker of that
// task: no task ids, no global registry to clean up; the tracker goes when the task's stores go.
const trackers = new WeakMap<StateStore, JoinTimeTracker>()

export function joinTimeTracker(anchor: StateStore): JoinTimeTracker {
  let tracker = trackers.get(anchor)
  if (tracker === undefined) {
    tracker = { streamTime: -1, minTime: Number.NEGATIVE_INFINITY }
    trackers.set(anchor, tracker)
  }
  return tracker
}
