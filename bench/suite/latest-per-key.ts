/**
 * The final results of a topology that forwards every update of a key (a windowed count without
 * suppression, or with a record cache that forwards some of them): the latest value per result
 * key. How many updates come out depends on caching and commit timing; the final values do not,
 * so exactness is checked on them: how many keys, and the sum of their latest values (for a
 * count, every input counted once).
 */
export class LatestPerKey {
  readonly #latest = new Map<string, number>()

  /** Takes one result record: its key (bytes, compared as text) and its value, a JSON number. */
  observe(key: Buffer | null, value: Buffer | null): void {
    const name = key === null ? '' : key.toString('latin1')
    if (value === null) {
      this.#latest.delete(name)
      return
    }
    const n = Number(JSON.parse(value.toString()))
    if (!Number.isFinite(n)) throw new Error(`A result of ${JSON.stringify(name)} is not a JSON number: ${value.toString().slice(0, 40)}`)
    this.#latest.set(name, n)
  }

  /** Result keys with a final value. */
  get size(): number {
    return this.#latest.size
  }

  /** The sum of the final values. */
  get total(): number {
    let sum = 0
    for (const n of this.#latest.values()) sum += n
    return sum
  }
}
