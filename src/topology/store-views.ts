import type { MaybePromise } from '../core/maybe-promise.js'
import type { KeyValue } from '../core/record.js'
import type { Windowed } from '../core/windowed.js'
import type {
  KeyValueStore,
  ReadOnlyKeyValueStore,
  ReadOnlySessionStore,
  ReadOnlyWindowStore,
  SessionStore,
  StateStore,
  ValueAndTimestamp,
  WindowEntry,
  WindowStore,
} from '../state/types.js'
import type { StoreSpec } from './types.js'

/**
 * Read-only views over one store name across every task (partition) of this process that holds
 * it: interactive queries of the runtime and the test driver's store getters. The tasks are
 * looked up on every call, so a view follows rebalances. Aggregate and table stores keep
 * `{ value, timestamp }`; the views hand out the value alone.
 */
type Stores = () => StateStore[] | Promise<StateStore[]>

function unwrapper(spec: StoreSpec): (stored: unknown) => unknown {
  return spec.valueFormat === 'timestamped' ? (stored) => (stored as ValueAndTimestamp<unknown>).value : (stored) => stored
}

export function keyValueStoreView<K, V>(spec: StoreSpec, stores: Stores): ReadOnlyKeyValueStore<K, V> {
  const unwrap = unwrapper(spec) as (stored: unknown) => V
  const typed = async () => (await stores()) as unknown as KeyValueStore<K, unknown>[]
  async function* scan(range: { from: K; to: K } | undefined): AsyncIterableIterator<KeyValue<K, V>> {
    for (const store of await typed()) {
      const entries = range === undefined ? store.all() : store.range(range.from, range.to)
      for await (const [key, stored] of entries) yield [key, unwrap(stored)]
    }
  }
  return {
    async get(key) {
      for (const store of await typed()) {
        const stored = await store.get(key)
        if (stored !== undefined) return unwrap(stored)
      }
      return undefined
    },
    range: (from, to) => scan({ from, to }),
    all: () => scan(undefined),
    async approximateNumEntries() {
      let total = 0
      for (const store of await typed()) total += await store.approximateNumEntries()
      return total
    },
  }
}

/**
 * A window store view for interactive queries: besides the store contract, `fetch(key, timeFrom,
 * timeTo)` is `fetchRange` under the name Kafka Streams users know.
 */
export interface QueryableWindowStore<K, V> extends ReadOnlyWindowStore<K, V> {
  fetch(key: K, windowStart: number): MaybePromise<V | undefined>
  /** Windows of `key` with `timeFrom <= windowStart <= timeTo`, oldest first. */
  fetch(key: K, timeFrom: number, timeTo: number): Promise<WindowEntry<V>[]>
}

export function windowStoreView<K, V>(spec: StoreSpec, stores: Stores): QueryableWindowStore<K, V> {
  const unwrap = unwrapper(spec) as (stored: unknown) => V
  const typed = async () => (await stores()) as unknown as WindowStore<K, unknown>[]
  async function* scan(range: { from: number; to: number } | undefined): AsyncIterableIterator<KeyValue<Windowed<K>, V>> {
    for (const store of await typed()) {
      const entries = range === undefined ? store.all() : store.fetchAll(range.from, range.to)
      for await (const [key, stored] of entries) yield [key, unwrap(stored)]
    }
  }
  async function fetchOne(key: K, windowStart: number): Promise<V | undefined> {
    for (const store of await typed()) {
      const stored = await store.fetch(key, windowStart)
      if (stored !== undefined) return unwrap(stored)
    }
    return undefined
  }
  async function fetchRange(key: K, timeFrom: number, timeTo: number): Promise<WindowEntry<V>[]> {
    const found: WindowEntry<V>[] = []
    for (const store of await typed()) {
      for (const entry of await store.fetchRange(key, timeFrom, timeTo)) found.push({ windowStart: entry.windowStart, value: unwrap(entry.value) })
    }
    return found.sort((a, b) => a.windowStart - b.windowStart)
  }
  function fetch(key: K, windowStart: number): Promise<V | undefined>
  function fetch(key: K, timeFrom: number, timeTo: number): Promise<WindowEntry<V>[]>
  function fetch(key: K, from: number, to?: number): Promise<V | undefined | WindowEntry<V>[]> {
    return to === undefined ? fetchOne(key, from) : fetchRange(key, from, to)
  }
  return {
    fetch,
    fetchRange,
    fetchAll: (timeFrom, timeTo) => scan({ from: timeFrom, to: timeTo }),
    all: () => scan(undefined),
  }
}

export function sessionStoreView<K, V>(stores: Stores): ReadOnlySessionStore<K, V> {
  const typed = async () => (await stores()) as unknown as SessionStore<K, V>[]
  return {
    async findSessions(key, earliestSessionEnd, latestSessionStart) {
      const found: KeyValue<Windowed<K>, V>[] = []
      for (const store of await typed()) found.push(...(await store.findSessions(key, earliestSessionEnd, latestSessionStart)))
      return found
    },
    async fetchSession(key, sessionStart, sessionEnd) {
      for (const store of await typed()) {
        const value = await store.fetchSession(key, sessionStart, sessionEnd)
        if (value !== undefined) return value
      }
      return undefined
    },
    async fetch(key) {
      const found: KeyValue<Windowed<K>, V>[] = []
      for (const store of await typed()) found.push(...(await store.fetch(key)))
      return found
    },
    all: async function* () {
      for (const store of await typed()) yield* store.all()
    },
  }
}
