/**
 * Store builders: turn a compiled `StoreDefinition` into the layered store an operator uses,
 * metered (typed) -> caching -> changelogging -> byte store, leaving out the layers the
 * definition switches off.
 *
 * @example
 * const store = createKeyValueStore<string, number>(
 *   { name: 'counts', type: 'keyValue', loggingEnabled: true, cachingEnabled: true },
 *   { supplier: 'memory', keySerde: Serdes.string(), valueSerde: Serdes.json<number>() },
 * )
 * await store.init(context)
 */
import { StateStoreError } from '../core/errors.js'
import type { Serde } from '../serde/serde.js'
import type { BytesStore } from './bytes-store.js'
import { CacheBudget } from './layers/cache-budget.js'
import { CachingBytesStore, DEFAULT_CACHE_MAX_BYTES, type CachingOptions } from './layers/caching.js'
import { ChangeloggingBytesStore } from './layers/changelogging.js'
import { DEFAULT_JOIN_CACHE_MAX_BYTES, LiveWindowCache } from './layers/live-window-cache.js'
import { ResidentKeyValueStore } from './layers/resident-key-value.js'
import { SessionKeySchema } from './key-schema/session-key-schema.js'
import { WindowKeySchema } from './key-schema/window-key-schema.js'
import { MeteredKeyValueStore } from './layers/metered-key-value.js'
import { MeteredSessionStore } from './layers/metered-session.js'
import { MeteredWindowStore } from './layers/metered-window.js'
import { MemoryBytesStore } from './memory/memory-bytes-store.js'
import { MemorySegments } from './memory/memory-segments.js'
import { TimeOrderedKeyValueBuffer } from './memory/time-ordered-key-value-buffer.js'
import { RocksDbBytesStore } from './rocksdb/rocksdb-bytes-store.js'
import { RocksDbSegments } from './rocksdb/rocksdb-segments.js'
import { RetentionClock } from './segments/retention-clock.js'
import type { SegmentProvider } from './segments/segment-provider.js'
import { SegmentedBytesStore } from './segments/segmented-bytes-store.js'
import type {
  KeyValueStore,
  MeteredStore,
  RestorableStore,
  SessionStore,
  StateStore,
  StoreDefinition,
  StoreSupplierKind,
  StoreType,
  TimeOrderedBuffer,
  WindowStore,
} from './types.js'

export interface StoreOptions<K, V> {
  /** Which byte store backs the store: `memory` (test driver default) or `rocksdb`. */
  supplier: StoreSupplierKind
  keySerde: Serde<K>
  valueSerde: Serde<V>
  /**
   * The instance's record cache budget (`KafkaStreamsConfig.cacheMaxBytes`), shared by every
   * caching store: with it a caching store is a record cache (see `CachedStore`).
   */
  recordCache?: CacheBudget
  /**
   * Without `recordCache`: a budget the caching stores share whose caches only batch writes down
   * and never change what an operator forwards (the instance's stores when the record cache is off).
   */
  writeCache?: CacheBudget
  /**
   * Without either: the bound of the store's own write-behind cache when `def.cachingEnabled`;
   * default 10 MiB.
   */
  cacheMaxBytes?: number
  /**
   * Bound of the in-memory copies of the RocksDB stores of stream-stream joins (`def.streamJoinStore`):
   * the live windows of a join buffer and the whole shared store of a left or outer join; default
   * 256 MiB. Beyond it reads go to RocksDB (a buffer's oldest segments, or the whole shared store).
   * `0` switches the copies off. Without `joinCache` the bound is this store's own.
   */
  joinCacheMaxBytes?: number
  /**
   * The instance's budget of join-store copies (`KafkaStreamsConfig.joinCacheMaxBytes`), shared by
   * every join store of every task, as the record cache's budget is by the caching stores.
   */
  joinCache?: CacheBudget
}

/** What every builder returns: the typed store, restorable from its changelog, with metrics. */
export type BuiltStore<S> = S & RestorableStore & MeteredStore

/** True for stores that can be rebuilt from changelog records (every store these builders make). */
export function isRestorableStore<S extends StateStore>(store: S): store is S & RestorableStore {
  return typeof (store as Partial<RestorableStore>).restore === 'function'
}

export function createKeyValueStore<K, V>(
  def: StoreDefinition,
  options: StoreOptions<K, V>,
): BuiltStore<KeyValueStore<K, V>> {
  checkType(def, 'keyValue')
  let below = byteStoreFor(def.name, options.supplier)
  // The shared store of a left or outer stream-stream join is looked up on every unmatched record,
  // by a key that is new: only a copy of the whole store answers that without RocksDB.
  const residentMax = def.streamJoinStore === 'outer-shared' ? joinCacheBound(def, options) : 0
  if (def.cachingEnabled && options.supplier === 'rocksdb' && residentMax > 0) below = new ResidentKeyValueStore(below, options.joinCache ?? residentMax)
  const bytes = wrapBytes(def, options, below)
  return new MeteredKeyValueStore(def.name, bytes, options.keySerde, options.valueSerde)
}

/**
 * The store of `KTable.suppress` (`def.timeOrderedBuffer`): in memory whatever the supplier, logged
 * at flush and rebuilt from its changelog on every open. Values go through `options.valueSerde` one by
 * one (the new, old and prior value of each entry).
 */
export function createTimeOrderedBuffer<K, V>(
  def: StoreDefinition,
  options: Pick<StoreOptions<K, V>, 'keySerde' | 'valueSerde'>,
): BuiltStore<TimeOrderedBuffer<K, V>> {
  checkType(def, 'keyValue')
  if (def.timeOrderedBuffer !== true) {
    throw new StateStoreError(`Store "${def.name}" is not defined as a time-ordered buffer; build it with createKeyValueStore.`)
  }
  return new TimeOrderedKeyValueBuffer(def.name, options.keySerde, options.valueSerde)
}

/**
 * A window store segmented by window start. `def.retentionMs` (at least window size + grace) and
 * `def.windowSizeMs` are required; `def.retainDuplicates` keeps every put (join buffers).
 */
export function createWindowStore<K, V>(def: StoreDefinition, options: StoreOptions<K, V>): BuiltStore<WindowStore<K, V>> {
  checkType(def, 'window')
  const retentionMs = requirePositive(def, 'retentionMs', def.retentionMs)
  const windowSizeMs = requirePositive(def, 'windowSizeMs', def.windowSizeMs)
  const schema = new WindowKeySchema(def.retainDuplicates === true)
  const clock = new RetentionClock(retentionMs)
  const segments = new SegmentedBytesStore(def.name, schema, clock, segmentsFor(def.name, options.supplier, clock))
  if (def.retainDuplicates === true) {
    // Stores that keep every put hold each record once and read it back by time range: an LRU cache
    // would only add copies. On RocksDB a join buffer keeps its live windows in memory instead, below
    // the changelog.
    const liveMax = def.streamJoinStore === 'window-buffer' ? joinCacheBound(def, options) : 0
    const below = def.cachingEnabled && options.supplier === 'rocksdb' && liveMax > 0 ? new LiveWindowCache(segments, schema, clock, options.joinCache ?? liveMax) : segments
    const bytes = wrapBytes(def, options, below, { cache: false })
    return new MeteredWindowStore(def.name, bytes, options.keySerde, options.valueSerde, { schema, clock, windowSizeMs, segments })
  }
  const bytes = wrapBytes(def, options, segments)
  return new MeteredWindowStore(def.name, bytes, options.keySerde, options.valueSerde, { schema, clock, windowSizeMs, segments })
}

/** A session store segmented by session end. `def.retentionMs` (at least gap + grace) is required. */
export function createSessionStore<K, V>(def: StoreDefinition, options: StoreOptions<K, V>): BuiltStore<SessionStore<K, V>> {
  checkType(def, 'session')
  const retentionMs = requirePositive(def, 'retentionMs', def.retentionMs)
  const schema = new SessionKeySchema()
  const clock = new RetentionClock(retentionMs)
  const segments = new SegmentedBytesStore(def.name, schema, clock, segmentsFor(def.name, options.supplier, clock))
  // Every session scan covers one whole key (up to `schema.upperBound(key)`): the cache can forget
  // just the evicted key's range. Window scans are bounded by time too, so they cannot.
  const bytes = wrapBytes(def, options, segments, { keySuffixLength: schema.suffixLength })
  return new MeteredSessionStore(def.name, bytes, options.keySerde, options.valueSerde, { schema, clock, segments })
}

function joinCacheBound<K, V>(def: StoreDefinition, options: StoreOptions<K, V>): number {
  const max = options.joinCacheMaxBytes ?? DEFAULT_JOIN_CACHE_MAX_BYTES
  if (!Number.isFinite(max) || max < 0) {
    throw new StateStoreError(
      `joinCacheMaxBytes of store "${def.name}" must be a number of bytes (0 switches the cache off), got ${max}.`,
    )
  }
  return max
}

function segmentsFor(name: string, supplier: StoreSupplierKind, clock: RetentionClock): SegmentProvider {
  switch (supplier) {
    case 'memory':
      return new MemorySegments(name, clock.segmentIntervalMs)
    case 'rocksdb':
      return new RocksDbSegments(name, clock.segmentIntervalMs)
    default:
      throw unknownSupplier(name, supplier)
  }
}

function byteStoreFor(name: string, supplier: StoreSupplierKind): BytesStore {
  switch (supplier) {
    case 'memory':
      return new MemoryBytesStore(name)
    case 'rocksdb':
      return new RocksDbBytesStore(name)
    default:
      throw unknownSupplier(name, supplier)
  }
}

function unknownSupplier(name: string, supplier: never): StateStoreError {
  return new StateStoreError(`Unknown store supplier "${String(supplier)}" for store "${name}". Use 'memory' or 'rocksdb'.`)
}

function requirePositive(def: StoreDefinition, field: 'retentionMs' | 'windowSizeMs', value: number | undefined): number {
  if (value === undefined || !Number.isSafeInteger(value) || value <= 0) {
    throw new StateStoreError(
      `Store "${def.name}" (${def.type}) needs ${field} as a positive whole number of milliseconds, got ${String(value)}. ` +
        `Set it in the store definition (retention must cover the window size or gap plus grace).`,
    )
  }
  return value
}

/**
 * Adds the changelogging and caching layers the definition asks for. `cache: false` leaves the cache
 * out whatever the definition says (stores that keep every put: a cache would only add copies).
 */
function wrapBytes<K, V>(
  def: StoreDefinition,
  options: StoreOptions<K, V>,
  store: BytesStore,
  layers: { readonly cache?: false; readonly keySuffixLength?: number } = {},
): BytesStore {
  let bytes = store
  if (def.loggingEnabled) bytes = new ChangeloggingBytesStore(bytes)
  const caching = layers.cache === false ? undefined : cachingFor(def, options)
  if (caching !== undefined) {
    const { keySuffixLength } = layers
    bytes = new CachingBytesStore(bytes, { ...caching, ...(keySuffixLength === undefined ? {} : { keySuffixLength }) })
  }
  return bytes
}

/**
 * The cache of a store, if it has one. Under a shared `recordCache` budget a caching store has a
 * record cache its operator may hold forwarding back with; a store with caching off
 * (`Materialized.withCachingDisabled`) still batches its writes down in that budget, but forwards
 * nothing. Without a record cache (`cacheMaxBytes: 0`) every store batches its writes in the shared
 * `writeCache`. A store built alone gets a cache of its own, if caching is on, that only batches writes.
 */
function cachingFor<K, V>(def: StoreDefinition, options: StoreOptions<K, V>): CachingOptions | undefined {
  if (options.recordCache !== undefined) return def.cachingEnabled ? { budget: options.recordCache, recordCache: true } : { budget: options.recordCache }
  if (options.writeCache !== undefined) return { budget: options.writeCache }
  if (!def.cachingEnabled) return undefined
  const max = options.cacheMaxBytes ?? DEFAULT_CACHE_MAX_BYTES
  if (!Number.isFinite(max) || max <= 0) {
    throw new StateStoreError(`cacheMaxBytes of store "${def.name}" must be a positive number of bytes, got ${max}.`)
  }
  return { budget: max }
}

function checkType(def: StoreDefinition, expected: StoreType): void {
  if (def.type !== expected) {
    throw new StateStoreError(
      `Store "${def.name}" is defined as a ${def.type} store but was built as a ${expected} store. ` +
        `Build it with the builder that matches its definition.`,
    )
  }
  // A role the store cannot play would silently get no join cache: say so instead.
  const role = def.streamJoinStore
  if (role === undefined) return
  const fits = role === 'outer-shared' ? def.type === 'keyValue' : def.type === 'window' && def.retainDuplicates === true
  if (!fits) {
    const needs = role === 'outer-shared' ? 'a keyValue store' : 'a window store with retainDuplicates'
    throw new StateStoreError(`Store "${def.name}" plays the stream-join role "${role}", which needs ${needs}.`)
  }
}

export type * from './types.js'
export { CacheBudget, DEFAULT_CACHE_MAX_BYTES }
