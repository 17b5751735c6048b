/**
 * The contract between operators and state. Operators see typed stores (the outer, metered layer);
 * everything below that layer (caching, changelogging, the byte store) deals in Buffers.
 *
 * Point operations return `MaybePromise`: a cached or in-memory answer comes back synchronously so
 * that a processor handling a hot key allocates no promise; a RocksDB read returns a promise.
 * Bounded reads (one key's windows or sessions) return arrays for the same reason; unbounded scans
 * (`all`, `range`) are async iterators.
 */
import type { MaybePromise } from '../core/maybe-promise.js'
import type { Headers, KeyValue, Record as StreamRecord } from '../core/record.js'
import type { Change, Window, Windowed } from '../core/windowed.js'

/** Where a store's changes go so that it can be rebuilt; the runtime writes them to Kafka. */
export interface ChangelogSink {
  /** `<applicationId>-<storeName>-changelog`, or the source topic a table reuses. */
  readonly topic: string
  /** Appends synchronously to the task's pending output; sent with the next flush/commit. */
  send(key: Buffer, value: Buffer | null, timestamp: number): void
}

/** What a store receives from the task that owns it. */
export interface StateStoreContext {
  readonly applicationId: string
  readonly taskId: string
  /** Directory of the owning task (`<stateDir>/<applicationId>/<taskId>`); persistent stores put their files under it. */
  readonly taskDir: string
  /** Absent when logging is disabled for the store. */
  readonly changelog?: ChangelogSink
  /** The task's stream time: window and session stores expire segments relative to it. */
  currentStreamTimeMs(): number
  /**
   * Under upstream watermarks, the task's event time: window and session stores then keep what is
   * newer than it minus their retention even when records of a faster input were written already.
   * Absent when watermarks are off.
   */
  readonly currentWatermarkMs?: () => number | undefined
  /** The timestamp of the record being processed, stamped on changelog records. */
  currentRecordTimestamp(): number
  /** The headers of the record being processed: a record cache forwards them with the key's value. */
  readonly currentRecordHeaders?: () => Headers
  /**
   * Runs `forward` as if the record of `timestamp` and `headers` were being processed (the record
   * context of a cached write): what it writes downstream is stamped with them. A record cache
   * forwards its flushed entries through it.
   */
  readonly inRecordContext?: (timestamp: number, headers: Headers, forward: () => MaybePromise<void>) => MaybePromise<void>
}

export interface StateStore {
  readonly name: string
  /** True for stores whose data outlive the process (RocksDB). */
  readonly persistent: boolean
  readonly isOpen: boolean
  init(context: StateStoreContext): Promise<void>
  /** Writes cached entries down the layers (and to the changelog). Called before every commit. */
  flush(): Promise<void>
  /**
   * The record cache's part of a commit (stores with one): writes its dirty entries down and
   * forwards them to the operator's flush listener. True when it wrote something. The task calls it
   * on every store until none writes, since a forward can dirty a downstream store's cache.
   */
  flushCache?(): Promise<boolean>
  close(): Promise<void>
}

export interface ReadOnlyKeyValueStore<K, V> {
  get(key: K): MaybePromise<V | undefined>
  /** Entries with `from <= key <= to` in the order of their serialized bytes. */
  range(from: K, to: K): AsyncIterableIterator<KeyValue<K, V>>
  all(): AsyncIterableIterator<KeyValue<K, V>>
  approximateNumEntries(): MaybePromise<number>
}

/**
 * A change a record cache forwards when it writes a key down: the key's latest value and the value
 * below it before (`null`: absent), in the record context of the key's last write.
 */
export interface CachedChange<K, V> {
  readonly key: K
  readonly newValue: V | null
  readonly oldValue: V | null
  readonly timestamp: number
  readonly headers: Headers
}

export type CachedChangeListener<K, V> = (change: CachedChange<K, V>) => MaybePromise<void>

/**
 * A store with a record cache (Kafka Streams' CachedStateStore): its operator hands it a listener
 * and forwards changes from there instead of on every update. `setFlushListener` returns false when
 * the store has no record cache (`cacheMaxBytes: 0`): the operator forwards every update itself.
 */
export interface CachedStore<K, V> {
  setFlushListener?(listener: CachedChangeListener<K, V>): boolean
}

export interface KeyValueStore<K, V> extends StateStore, ReadOnlyKeyValueStore<K, V>, CachedStore<K, V> {
  /** `null` deletes the key. */
  put(key: K, value: V | null): MaybePromise<void>
  putIfAbsent(key: K, value: V): MaybePromise<V | undefined>
  /** Returns the previous value. */
  delete(key: K): MaybePromise<V | undefined>
}

/** One window of one key. */
export interface WindowEntry<V> {
  readonly windowStart: number
  readonly value: V
}

export interface ReadOnlyWindowStore<K, V> {
  /** The value of `key` in the window starting at `windowStart`. */
  fetch(key: K, windowStart: number): MaybePromise<V | undefined>
  /** Windows of `key` with `timeFrom <= windowStart <= timeTo`, oldest first. */
  fetchRange(key: K, timeFrom: number, timeTo: number): MaybePromise<WindowEntry<V>[]>
  /** Windows of every key with `timeFrom <= windowStart <= timeTo`. */
  fetchAll(timeFrom: number, timeTo: number): AsyncIterableIterator<KeyValue<Windowed<K>, V>>
  all(): AsyncIterableIterator<KeyValue<Windowed<K>, V>>
}

export interface WindowStore<K, V> extends StateStore, ReadOnlyWindowStore<K, V>, CachedStore<Windowed<K>, V> {
  /**
   * `null` deletes. With `retainDuplicates` (stream-stream join buffers) every put is kept under a
   * sequence number and `null` is ignored. A put into a window older than the retention period is
   * dropped (the segment is gone).
   */
  put(key: K, value: V | null, windowStart: number): MaybePromise<void>
  /**
   * The largest window start written into or restored to this store (`-Infinity` before any):
   * the store's own clock, which retention runs on (Kafka Streams' observed stream time). A window
   * is live while its start is greater than this minus the retention period.
   */
  observedStreamTimeMs(): number
}

export interface ReadOnlySessionStore<K, V> {
  /**
   * Sessions of `key` that end at or after `earliestSessionEnd` and start at or before
   * `latestSessionStart` (the sessions a new record at `t` may merge with, given the gap).
   */
  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): MaybePromise<KeyValue<Windowed<K>, V>[]>
  fetchSession(key: K, sessionStart: number, sessionEnd: number): MaybePromise<V | undefined>
  /** Every session of `key`. */
  fetch(key: K): MaybePromise<KeyValue<Windowed<K>, V>[]>
  all(): AsyncIterableIterator<KeyValue<Windowed<K>, V>>
}

export interface SessionStore<K, V> extends StateStore, ReadOnlySessionStore<K, V>, CachedStore<Windowed<K>, V> {
  /** `null` removes the session. */
  put(sessionKey: Windowed<K>, value: V | null): MaybePromise<void>
  remove(sessionKey: Windowed<K>): MaybePromise<void>
  /**
   * Sessions of every key that end between `earliestSessionEnd` and `latestSessionEnd` (both
   * included), as Kafka Streams' time-ordered session store finds them for an aggregation that emits
   * on window close (`findSessions(earliestSessionEndTime, latestSessionEndTime)`): every session of
   * a live segment counts, even one already past retention that other reads no longer return.
   * Ordered by key bytes, then end and start.
   */
  findSessionsByEndTime(earliestSessionEnd: number, latestSessionEnd: number): AsyncIterableIterator<KeyValue<Windowed<K>, V>>
}

/**
 * What aggregate and table stores keep: the value and the largest input timestamp that produced it,
 * so that an update forwards the right output timestamp after a restart too. Its bytes (Kafka's
 * timestamped store format) are written by the operators' serde, `valueAndTimestampSerde`.
 */
export interface ValueAndTimestamp<V> {
  readonly value: V
  readonly timestamp: number
}

export type StoreType = 'keyValue' | 'window' | 'session'

/**
 * The part a store plays in a stream-stream join, which reads it on every record. On RocksDB (with
 * caching on) such a store keeps an in-memory copy below the changelog, bounded by the store option
 * `joinCacheMaxBytes`, because a miss would cost a RocksDB read per record:
 * - `window-buffer`: one side's buffer (a window store with `retainDuplicates`); the copy holds its
 *   live windows, the ones still within retention.
 * - `outer-shared`: the store of not-yet-joined records of a left or outer join (a key-value store);
 *   the copy holds the whole store, since lookups are of keys that just arrived, which an LRU
 *   cache cannot answer.
 */
export type StreamJoinStoreRole = 'window-buffer' | 'outer-shared'

/** How a store is made: the compiler records one per store, the runtime or test driver builds it. */
export interface StoreDefinition {
  readonly name: string
  readonly type: StoreType
  /** Window and session stores: how long data is kept after its window ends (size + grace at least). */
  readonly retentionMs?: number
  /** Window stores: the window size, part of the key schema. */
  readonly windowSizeMs?: number
  /** Window stores of stream-stream joins keep every record, not the latest per window. */
  readonly retainDuplicates?: boolean
  /**
   * Set by the DSL compiler on the stores of a stream-stream join: which in-memory copy they get (see
   * `StreamJoinStoreRole`). Unset, a store gets neither copy, whatever its name.
   */
  readonly streamJoinStore?: StreamJoinStoreRole
  /**
   * A key-value store that is a `TimeOrderedBuffer` (the store of `KTable.suppress`): held in memory
   * whatever the store supplier, and rebuilt from its changelog whenever its task opens.
   */
  readonly timeOrderedBuffer?: boolean
  /**
   * Kafka Streams' `Materialized.withStoreType`: where this store keeps its data, over the instance's
   * `storeSupplier` (which it defaults to). A `'memory'` store in a RocksDB instance is rebuilt from its
   * changelog whenever its task opens and is left out of the task's checkpoint.
   */
  readonly storeType?: StoreSupplierKind
  readonly loggingEnabled: boolean
  /**
   * Kafka Streams' store caching: under an instance's record cache budget the store's cache holds
   * updates back and forwards each key's latest value at commit or eviction. Off, the store still
   * batches writes down in that budget but forwards nothing; built alone it has no cache at all.
   */
  readonly cachingEnabled: boolean
  /** Changelog config overrides (e.g. `cleanup.policy`, `retention.ms`). */
  readonly changelogConfig?: Readonly<Record<string, string>>
}

/**
 * What a time-ordered buffer keeps per key: the key's latest record (its value a table update), the
 * time the key is due at, and the value downstream saw before the key entered the buffer.
 */
export interface BufferedRecord<K, V> {
  readonly record: StreamRecord<K, Change<V>>
  readonly bufferTime: number
  readonly priorValue: V | null
}

/**
 * The store of `KTable.suppress` (Kafka Streams' time-ordered key-value buffer): the latest record
 * of each key, evicted by buffer time. Read as a key-value store it shows what is held back, per key.
 */
export interface TimeOrderedBuffer<K, V> extends StateStore, ReadOnlyKeyValueStore<K, BufferedRecord<K, V>> {
  /** How many keys are buffered. */
  readonly size: number
  /**
   * The largest record timestamp the owner reported with `observeStreamTime`, restored with the
   * buffer (as the stream time logged with its entries); -Infinity before any.
   */
  readonly streamTimeMs: number
  observeStreamTime(timestamp: number): void
  /**
   * Buffers the key's latest record. A key not buffered yet is due at `bufferTime` and keeps the
   * record's old value as its prior value; a buffered key keeps both and only takes the new record.
   * `topic` is the source topic of the record being processed, counted in `sizeBytes`.
   */
  put(bufferTime: number, record: StreamRecord<K, Change<V>>, topic?: string): MaybePromise<void>
  /**
   * The bytes held, as Kafka Streams' in-memory buffer counts them (its `bufferSize()`): per key 8 bytes
   * of buffer time, the serialized key, the serialized prior, old (unless equal to the prior) and new
   * value, and the record context: 8 bytes of timestamp, 8 of offset, 4 of partition, the characters
   * of the `topic` given to `put`, each header's name characters and value bytes. An entry restored
   * from the changelog counts no topic (the changelog does not keep it). 0 unless `countBytes()` was called.
   */
  readonly sizeBytes: number
  /**
   * Starts counting `sizeBytes`: from then on `put` serializes the values to count them. Call it before
   * the first `put` (the suppression does, under a `maxBytes` bound); restored entries are counted.
   */
  countBytes(): void
  /** The smallest buffer time held; Infinity when the buffer is empty. */
  minBufferTime(): number
  /** Removes and returns the entry with the smallest buffer time (ties: the smallest serialized key). */
  evictOldest(): BufferedRecord<K, V> | undefined
}

/** Which byte-store implementation backs persistent stores. */
export type StoreSupplierKind = 'memory' | 'rocksdb'

export type { Window, Windowed }

/** One record of a store's changelog topic, as the runtime or the test driver reads it back. */
export interface ChangelogRecord {
  /** The changelog key: the store's own key schema (window and session stores include the time). */
  readonly key: Buffer
  /** `null` is a tombstone: the key is deleted. */
  readonly value: Buffer | null
}

/** A store that can be rebuilt from its changelog (runtime restoration, test driver). */
export interface RestorableStore {
  /**
   * Writes changelog records straight into the byte store, in order and as one batch: nothing is
   * logged again and the cache is bypassed (cached copies of the keys are invalidated). Window and
   * session records already past retention are dropped. Call it after `init` and before processing.
   */
  restore(records: readonly ChangelogRecord[]): Promise<void>
}

/** Counters of a store's typed operations since it was opened. */
export interface StoreMetrics {
  readonly gets: number
  readonly puts: number
  readonly deletes: number
  /** Range reads: `range`, `all`, window fetches, session lookups. */
  readonly scans: number
  /** Average latency of a sample of point operations (gets and puts), in nanoseconds; 0 before any sample. */
  readonly avgLatencyNs: number
  /** Window or session records dropped because their time was already past retention. */
  readonly expiredRecords: number
}

/** A store that counts its operations (every store the builders of `state/index.ts` make). */
export interface MeteredStore {
  metrics(): StoreMetrics
}
