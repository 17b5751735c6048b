/**
 * One byte budget shared by the record caches of every caching store of an instance, Kafka Streams'
 * `statestore.cache.max.bytes` (its ThreadCache, with one thread per instance). Each cache counts
 * its bytes here; a cache whose put takes the total over the bound evicts from itself, as a Kafka
 * Streams named cache does, so a busy store cannot grow by starving the others forever: their next
 * put evicts from them in turn. Tasks come and go on rebalance; their caches join and leave the
 * budget, so the bound holds for whatever the instance owns at the moment.
 */
export interface BudgetedCache {
  /** Bytes the cache accounts for. */
  readonly sizeBytes: number
  /** Evicts until the cache holds at most `ownBytes` bytes, or as far as it can. */
  shrink(ownBytes: number): Promise<void>
}

export const DEFAULT_CACHE_MAX_BYTES = 10 * 1024 * 1024

export class CacheBudget {
  private readonly caches = new Set<BudgetedCache>()
  private used = 0

  /** `setting` names the option the bound comes from, for error messages. */
  constructor(
    private max: number = DEFAULT_CACHE_MAX_BYTES,
    private readonly setting: 'cacheMaxBytes' | 'joinCacheMaxBytes' = 'cacheMaxBytes',
  ) {
    CacheBudget.check(max, setting)
  }

  static check(max: number, setting: 'cacheMaxBytes' | 'joinCacheMaxBytes' = 'cacheMaxBytes'): void {
    if (!Number.isFinite(max) || max <= 0) {
      throw new RangeError(`A cache budget (${setting}) must be a positive number of bytes, got ${max}. Use ${setting}: 0 to switch the cache off.`)
    }
  }

  get maxBytes(): number {
    return this.max
  }

  /** Bytes held by every registered cache together. */
  get usedBytes(): number {
    return this.used
  }

  get cacheCount(): number {
    return this.caches.size
  }

  register(cache: BudgetedCache): void {
    this.caches.add(cache)
  }

  /** A closed cache leaves the budget with whatever it still counted. */
  unregister(cache: BudgetedCache): void {
    if (this.caches.delete(cache)) this.used -= cache.sizeBytes
  }

  /** A registered cache grew or shrank by `delta` bytes. */
  change(delta: number): void {
    this.used += delta
  }

  get overBudget(): boolean {
    return this.used > this.max
  }

  /**
   * Sets a new bound; a smaller one is reached by evicting from every cache in turn, largest first
   * (Kafka Streams' ThreadCache.resize evicts round-robin).
   */
  async resize(max: number): Promise<void> {
    CacheBudget.check(max, this.setting)
    this.max = max
    const bySize = [...this.caches].sort((a, b) => b.sizeBytes - a.sizeBytes)
    for (const cache of bySize) {
      if (this.used <= max) return
      await cache.shrink(Math.max(0, cache.sizeBytes - (this.used - max)))
    }
  }
}
