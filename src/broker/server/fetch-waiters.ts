/**
 * Parks long-polling Fetch requests until a produce appends to one of the partitions they read
 * (or their wait expires). Keys are `topic\0partition`; waking is synchronous and cheap when no
 * one waits.
 */
export interface FetchWaiter {
  keys: string[]
  wake(): void
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`
}

export class FetchWaiters {
  private readonly byKey = new Map<string, Set<FetchWaiter>>()

  add(waiter: FetchWaiter): void {
    for (const key of waiter.keys) {
      let set = this.byKey.get(key)
      if (set === undefined) this.byKey.set(key, (set = new Set()))
      set.add(waiter)
    }
  }

  remove(waiter: FetchWaiter): void {
    for (const key of waiter.keys) {
      const set = this.byKey.get(key)
      if (set === undefined) continue
      set.delete(waiter)
      if (set.size === 0) this.byKey.delete(key)
    }
  }

  notify(topic: string, partition: number): void {
    if (this.byKey.size === 0) return
    const set = this.byKey.get(partitionKey(topic, partition))
    if (set === undefined) return
    for (const waiter of [...set]) waiter.wake()
  }

  /** How many fetches are parked; counted on demand, for the watchdog's warning. */
  get size(): number {
    const all = new Set<FetchWaiter>()
    for (const set of this.byKey.values()) for (const w of set) all.add(w)
    return all.size
  }

  /** Wakes every waiter (shutdown, topic deletion). */
  wakeAll(): void {
    const all = new Set<FetchWaiter>()
    for (const set of this.byKey.values()) for (const w of set) all.add(w)
    for (const w of all) w.wake()
  }
}
