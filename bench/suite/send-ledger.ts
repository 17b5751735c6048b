import type { TopicPartitionOffset } from '../../src/kafka/index.js'

/** The input position one send covers: per input partition, the offset after its last record in the send. */
interface PendingSend {
  readonly ends: ReadonlyMap<string, TopicPartitionOffset>
  acknowledged: boolean
}

/** What `SendLedger.add` needs of a consumed record. */
export interface ConsumedPosition {
  readonly topic: string
  readonly partition: number
  readonly offset: bigint
}

/**
 * The bookkeeping that keeps a pipelined consume -> produce loop at-least-once: offsets may be
 * committed only for input records whose outputs the cluster has acknowledged. Sends are
 * registered in the order their records were consumed and may be acknowledged in any order; the
 * committable position of a partition is the end of the longest run of sends, from the oldest,
 * that are all acknowledged, so a commit never passes a record whose output could still be lost.
 */
export class SendLedger {
  readonly #pending = new Map<number, PendingSend>()
  #nextTicket = 0
  #oldestTicket = 0
  /** Positions acknowledged and not yet handed out by `takeCommittable`. */
  readonly #committable = new Map<string, TopicPartitionOffset>()

  /** Registers the send of `records` (in consumption order); returns its ticket for `acknowledge`. */
  add(records: readonly ConsumedPosition[]): number {
    const ends = new Map<string, TopicPartitionOffset>()
    for (const r of records) {
      const key = `${r.topic}\u0000${r.partition}`
      const next = r.offset + 1n
      const known = ends.get(key)
      if (known === undefined || next > known.offset) ends.set(key, { topic: r.topic, partition: r.partition, offset: next })
    }
    const ticket = this.#nextTicket++
    this.#pending.set(ticket, { ends, acknowledged: false })
    return ticket
  }

  /** The send of `ticket` was acknowledged; the positions of every older acknowledged send become committable. */
  acknowledge(ticket: number): void {
    const send = this.#pending.get(ticket)
    if (send === undefined) throw new Error(`No unacknowledged send has ticket ${ticket}.`)
    send.acknowledged = true
    for (let oldest = this.#pending.get(this.#oldestTicket); oldest?.acknowledged === true; oldest = this.#pending.get(this.#oldestTicket)) {
      for (const [key, end] of oldest.ends) {
        const known = this.#committable.get(key)
        if (known === undefined || end.offset > known.offset) this.#committable.set(key, end)
      }
      this.#pending.delete(this.#oldestTicket++)
    }
  }

  /** Sends registered and not yet acknowledged. */
  get unacknowledged(): number {
    return this.#pending.size
  }

  /** The positions that became committable since the last call (one per partition), and forgets them. */
  takeCommittable(): TopicPartitionOffset[] {
    const offsets = [...this.#committable.values()]
    this.#committable.clear()
    return offsets
  }
}
