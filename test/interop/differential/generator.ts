/**
 * Random inputs for the differential cases, one seed per input partition: a seed's records are a
 * task's whole input, so its outputs depend on it alone (stream time is per task in both systems)
 * and one failing seed can be run by itself. Keys repeat (a few per seed), timestamps run mostly
 * forward with jumps back (some within the grace period, some beyond it), and some values are null.
 */
import { Prng } from './prng.js'

export interface GeneratedRecord {
  /** Input topic role of the case: `in`, `left` or `right`. */
  readonly role: string
  readonly key: string
  readonly value: string | null
  readonly timestamp: number
}

export interface SeedShape {
  readonly roles: readonly string[]
  /** How far back in time a record may jump (beyond the grace period, to be late too). */
  readonly maxJumpBack: number
  /** How far forward stream time may step between records. */
  readonly maxStep: number
}

/**
 * The records of `seed`, in production order (roles interleaved). With two roles, one takes even
 * and the other odd timestamps: a task picks its next record by timestamp across its partitions,
 * and how each system breaks a tie between equal timestamps is not what the suite compares.
 */
export function seedRecords(seed: number, shape: SeedShape): GeneratedRecord[] {
  const rng = new Prng(seed)
  const keys = rng.int(1, 4)
  const count = rng.int(12, 36)
  const tombstones = rng.pick([0, 0.1, 0.25])
  const records: GeneratedRecord[] = []
  let streamTime = rng.int(0, 60)
  for (let i = 0; i < count; i++) {
    const role = rng.pick(shape.roles)
    const time = rng.chance(0.3) ? Math.max(0, streamTime - rng.int(0, shape.maxJumpBack)) : streamTime + rng.int(0, shape.maxStep)
    streamTime = Math.max(streamTime, time)
    const parity = shape.roles.length > 1 ? shape.roles.indexOf(role) : 0
    records.push({
      role,
      key: `s${seed}.k${rng.int(1, keys)}`,
      value: rng.chance(tombstones) ? null : `v${i}`,
      timestamp: shape.roles.length > 1 ? time * 2 + parity : time,
    })
  }
  return records
}
