import { ConfigError } from '../core/errors.js'
import type { ReadOnlyKeyValueStore, ReadOnlySessionStore, StateStore, StoreType } from '../state/types.js'
import { keyValueStoreView, sessionStoreView, windowStoreView, type QueryableWindowStore } from './store-views.js'
import type { StoreSpec } from './types.js'

/**
 * Which kind of store a query expects and the read-only view it gets back, as Kafka Streams'
 * `QueryableStoreTypes`. The view type `T` is carried by the value, so
 * `app.store('counts', QueryableStoreTypes.windowStore<string, number>())` is typed
 * `QueryableWindowStore<string, number>` without a cast.
 */
export interface QueryableStoreType<T> {
  readonly storeType: StoreType
  /** Builds the view over every local store of that name (looked up again on every call). */
  create(spec: StoreSpec, stores: () => StateStore[] | Promise<StateStore[]>): T
}

/**
 * @example
 * const counts = app.store('order-counts', QueryableStoreTypes.keyValueStore<string, number>())
 * const perMinute = app.store('rides-per-minute', QueryableStoreTypes.windowStore<string, number>())
 * await perMinute.fetch('zone-1', 0, Date.now())            // every window of the key in that range
 * const sessions = app.store('trips', QueryableStoreTypes.sessionStore<string, number>())
 */
export const QueryableStoreTypes = {
  keyValueStore<K, V>(): QueryableStoreType<ReadOnlyKeyValueStore<K, V>> {
    return { storeType: 'keyValue', create: (spec, stores) => keyValueStoreView<K, V>(spec, stores) }
  },
  windowStore<K, V>(): QueryableStoreType<QueryableWindowStore<K, V>> {
    return { storeType: 'window', create: (spec, stores) => windowStoreView<K, V>(spec, stores) }
  },
  sessionStore<K, V>(): QueryableStoreType<ReadOnlySessionStore<K, V>> {
    return { storeType: 'session', create: (_spec, stores) => sessionStoreView<K, V>(stores) }
  },
} as const

const TYPE_NAMES: Readonly<Record<StoreType, string>> = { keyValue: 'keyValueStore', window: 'windowStore', session: 'sessionStore' }

/**
 * The spec of the store a query names, checked against the expected kind: an unknown name or a
 * store of another kind is a ConfigError saying which stores and which type to use instead.
 */
export function queryableStoreSpec(stores: ReadonlyMap<string, StoreSpec>, name: string, expected: StoreType): StoreSpec {
  const spec = stores.get(name)
  if (spec === undefined) {
    const known = [...stores.entries()].map(([n, s]) => `${n} (${s.definition.type})`)
    throw new ConfigError(`No state store named "${name}". Stores of this topology: ${known.join(', ') || 'none'}.`)
  }
  const actual = spec.definition.type
  if (actual !== expected) {
    throw new ConfigError(
      `State store "${name}" is a ${actual} store, not a ${expected} store; query it with QueryableStoreTypes.${TYPE_NAMES[actual]}().`,
    )
  }
  return spec
}
