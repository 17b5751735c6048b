/**
 * Things due at a later time (a payment after an appointment, a held-back ping), taken out in
 * time order; equal times come out in the order they were scheduled, so runs are reproducible.
 */
export class Timeline<T> {
  private readonly heap: { at: number; seq: number; item: T }[] = []
  private seq = 0

  get size(): number {
    return this.heap.length
  }

  schedule(at: number, item: T): void {
    const heap = this.heap
    heap.push({ at, seq: this.seq++, item })
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.before(i, parent)) break
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
  }

  /** The time of the next item, or Infinity when there is none. */
  peekTime(): number {
    return this.heap.length === 0 ? Infinity : this.heap[0]!.at
  }

  /** Removes and returns the next item. */
  take(): T | undefined {
    const heap = this.heap
    if (heap.length === 0) return undefined
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length > 0) {
      heap[0] = last
      let i = 0
      for (;;) {
        const left = 2 * i + 1
        const right = left + 1
        let smallest = i
        if (left < heap.length && this.before(left, smallest)) smallest = left
        if (right < heap.length && this.before(right, smallest)) smallest = right
        if (smallest === i) break
        ;[heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!]
        i = smallest
      }
    }
    return top.item
  }

  /** Removes and returns, in order, every item due at or before `time`, with the time it was due. */
  takeDue(time: number): { at: number; item: T }[] {
    const due: { at: number; item: T }[] = []
    while (this.peekTime() <= time) {
      const at = this.peekTime()
      due.push({ at, item: this.take()! })
    }
    return due
  }

  private before(i: number, j: number): boolean {
    const a = this.heap[i]!
    const b = this.heap[j]!
    return a.at < b.at || (a.at === b.at && a.seq < b.seq)
  }
}
