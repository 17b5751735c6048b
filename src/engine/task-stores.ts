import { StateStoreError } from '../core/errors.js'
import type { MaybePromise } from '../core/maybe-promise.js'
import type { Headers } from '../core/record.js'
import type { CacheBudget } from '../state/layers/cache-budget.js'
import { isRestorableStore } from '../state/index.js'
import { buildStore } from '../topology/store-builder.js'
import type { ChangelogRecord, StateStore, StoreSupplierKind } from '../state/types.js'
import type { Topology } from '../topology/topology.js'
import type { DefaultSerdes } from '../topology/types.js'
import type { RestoreTarget } from './changelog-restorer.js'
import type { ChangelogEntry, CollectedRecord, RecordWriter, TopicPartitionOffset } from './types.js'

export interface TaskStoresConfig {
  readonly applicationId: string
  readonly taskId: string
  readonly partition: number
  readonly taskDir: string
  readonly storeSupplier: StoreSupplierKind
  readonly defaultSerdes: DefaultSerdes
  /** The instance's record cache budget, shared by the caching stores of every task; absent: none. */
  readonly recordCache?: CacheBudget
  /** Without a record cache: the budget the write-behind caches of every task's stores share. */
  readonly writeCache?: CacheBudget
  readonly joinCacheMaxBytes?: number
  /** The instance's budget of join-store copies, shared by every task (and standby) of the instance. */
  readonly joinCache?: CacheBudget
  readonly writer: RecordWriter
  currentStreamTimeMs(): number
  /** Under upstream watermarks: the task's event time (see `StateStoreContext.currentWatermarkMs`). */
  readonly currentWatermarkMs?: () => number | undefined
  currentRecordTimestamp(): number
  /** See `StateStoreContext`; a standby task, which forwards nothing, has neither. */
  readonly currentRecordHeaders?: () => Headers
  readonly inRecordContext?: (timestamp: number, headers: Headers, forward: () => MaybePromise<void>) => MaybePromise<void>
}

/** The topic a store is backed up to: its changelog, or the source topic a table reuses (full names). */
export interface StoreChangelog {
  readonly topic: string
  readonly fromSource: boolean
  /**
   * The store keeps values timestamped (8-byte timestamp, then the value) while the topic holds
   * plain values with that timestamp as the record's: a table over its source topic, and every
   * internal changelog of a timestamped store, as Kafka Streams' ChangeLoggingTimestamped*Store
   * writes it. Restoring puts the record timestamp back in front.
   */
  readonly timestamped: boolean
}

/** Where store `name` is backed up; undefined for a store without a changelog (logging disabled). */
export function storeChangelog(topology: Topology, name: string, applicationId: string): StoreChangelog | undefined {
  const spec = topology.stores.get(name)
  if (spec === undefined || spec.changelogTopic === undefined) return undefined
  if (!spec.changelogIsInternal) return { topic: topology.topicName(spec.changelogTopic, applicationId), fromSource: true, timestamped: spec.valueFormat === 'timestamped' }
  return spec.definition.loggingEnabled ? { topic: `${applicationId}-${spec.changelogTopic}`, fromSource: false, timestamped: spec.valueFormat === 'timestamped' } : undefined
}

/** A store of the task and the topic partition it is backed up to, if any. */
interface OwnedStore {
  readonly name: string
  readonly store: StateStore
  readonly changelog: StoreChangelog | undefined
}

/**
 * The stores of one task: built from the topology's specs, opened under the task directory with a
 * changelog sink that appends to the task's record writer (at the task's partition), and the
 * changelog offsets their contents correspond to (for the checkpoint).
 */
export class TaskStores {
  private readonly owned: OwnedStore[] = []
  private readonly byName = new Map<string, StateStore>()
  /** Next changelog offset the stores hold everything below, per changelog topic (task partition). */
  private readonly offsets = new Map<string, bigint>()

  constructor(
    private readonly topology: Topology,
    private readonly storeNames: readonly string[],
    private readonly config: TaskStoresConfig,
  ) {}

  /** Builds and opens the stores (again, after `close`, e.g. once their files were wiped). */
  async open(): Promise<void> {
    this.owned.length = 0
    this.byName.clear()
    this.offsets.clear()
    const { applicationId, partition, writer } = this.config
    for (const name of this.storeNames) {
      const spec = this.topology.stores.get(name)
      if (spec === undefined) throw new StateStoreError(`The topology names store "${name}" in a sub-topology but has no definition of it.`)
      const store = buildStore(spec, this.config)
      const changelog = storeChangelog(this.topology, name, applicationId)
      const changelogTopic = changelog?.fromSource === false ? changelog.topic : undefined
      await store.init({
        applicationId,
        taskId: this.config.taskId,
        taskDir: this.config.taskDir,
        ...(changelogTopic === undefined
          ? {}
          : {
              changelog: {
                topic: changelogTopic,
                send: changelog?.timestamped === true
                  ? (key, value, timestamp) => writer.send(plainChangelogRecord(changelogTopic, partition, key, value, timestamp))
                  : (key, value, timestamp) => writer.send({ topic: changelogTopic, partition, key, value, timestamp, headers: {} }),
              },
            }),
        currentStreamTimeMs: () => this.config.currentStreamTimeMs(),
        ...(this.config.currentWatermarkMs === undefined ? {} : { currentWatermarkMs: this.config.currentWatermarkMs }),
        currentRecordTimestamp: () => this.config.currentRecordTimestamp(),
        ...(this.config.currentRecordHeaders === undefined ? {} : { currentRecordHeaders: this.config.currentRecordHeaders }),
        ...(this.config.inRecordContext === undefined ? {} : { inRecordContext: this.config.inRecordContext }),
      })
      this.owned.push({ name, store, changelog })
      this.byName.set(name, store)
    }
  }

  get(name: string): StateStore | undefined {
    return this.byName.get(name)
  }

  names(): string[] {
    return [...this.byName.keys()]
  }

  /**
   * What restoration rebuilds: every store backed by a changelog or by its source topic; the
   * latter, when `committedSource` is given, only up to the group's committed offset of that topic
   * (none when the group never committed it: nothing of the topic is state yet), as Kafka Streams
   * restores it.
   */
  restoreTargets(committedSource?: (topic: string) => bigint | undefined): RestoreTarget[] {
    const targets: RestoreTarget[] = []
    for (const { name, store, changelog } of this.owned) {
      if (changelog === undefined) continue
      if (!isRestorableStore(store)) throw new StateStoreError(`Store "${name}" cannot be restored from ${changelog.topic}: it has no restore().`)
      targets.push({
        storeName: name,
        store,
        topic: changelog.topic,
        partition: this.config.partition,
        ...(changelog.timestamped ? { convert: timestampedFromSource } : {}),
        ...(changelog.fromSource && committedSource !== undefined ? { endOffset: committedSource(changelog.topic) ?? 0n } : {}),
      })
    }
    return targets
  }

  /** The source topics that stores of this task reuse as their changelogs. */
  sourceChangelogTopics(): string[] {
    return this.owned.flatMap(({ changelog }) => (changelog?.fromSource === true ? [changelog.topic] : []))
  }

  /** Records the changelog offsets the stores hold after restoration. */
  restored(offsets: readonly TopicPartitionOffset[]): void {
    for (const o of offsets) this.offsets.set(o.topic, o.offset)
  }

  /**
   * The checkpoint after a commit: for stores that survive a restart (persistent ones), the next
   * changelog offset they do not hold. Internal changelogs take the collector's acknowledged
   * offsets; a table backed by its source topic takes the task's consumed offset of that topic.
   */
  checkpoint(consumedOffset: (topic: string) => bigint | undefined): TopicPartitionOffset[] {
    const partition = this.config.partition
    const result: TopicPartitionOffset[] = []
    for (const { store, changelog } of this.owned) {
      if (changelog === undefined) continue
      const written = changelog.fromSource ? consumedOffset(changelog.topic) : nextAfter(this.config.writer.lastAckedOffset(changelog.topic, partition))
      const known = this.offsets.get(changelog.topic)
      const offset = written !== undefined && (known === undefined || written > known) ? written : known
      if (offset === undefined) continue
      this.offsets.set(changelog.topic, offset)
      if (store.persistent) result.push({ topic: changelog.topic, partition, offset })
    }
    return result
  }

  /**
   * Writes every store down. Record caches go first, round after round: what one forwards may
   * dirty the cache of a store downstream in the same task, which must be written before the
   * commit too (Kafka Streams flushes its caches in topological order; the rounds make any order
   * safe).
   */
  async flush(): Promise<void> {
    await this.flushCaches()
    for (const { store } of this.owned) if (store.isOpen) await store.flush()
  }

  /** The record caches' part of `flush`: each writes its dirty entries down and forwards them. */
  async flushCaches(): Promise<void> {
    for (let round = 0; ; round++) {
      let wrote = false
      for (const { store } of this.owned) if (store.isOpen && store.flushCache !== undefined && (await store.flushCache())) wrote = true
      if (!wrote) return
      if (round === MAX_CACHE_FLUSH_ROUNDS) throw new StateStoreError(`Task ${this.config.taskId}: record caches still held writes after ${round + 1} flush rounds; a store's forwards loop back into it.`)
    }
  }

  /** Closes every store, flushing first unless the task is closed dirty (after a failure). */
  async close(flush: boolean): Promise<void> {
    let failure: unknown
    for (const { store } of this.owned) {
      if (!store.isOpen) continue
      try {
        if (flush) await store.flush()
        await store.close()
      } catch (error) {
        failure ??= error
      }
    }
    if (failure !== undefined) throw failure
  }
}

/** More rounds than any chain of caching stores in one sub-topology can need. */
const MAX_CACHE_FLUSH_ROUNDS = 100

function nextAfter(offset: bigint | undefined): bigint | undefined {
  return offset === undefined ? undefined : offset + 1n
}

/** A table store keeps `[8-byte timestamp][value]`; its source topic holds the plain value. */
/** A timestamped store's write as its changelog holds it: the plain value, at the stored timestamp. */
function plainChangelogRecord(topic: string, partition: number, key: Buffer, value: Buffer | null, timestamp: number): CollectedRecord {
  if (value === null || value.length < 8) return { topic, partition, key, value, timestamp, headers: {} }
  return { topic, partition, key, value: value.subarray(8), timestamp: Number(value.readBigInt64BE(0)), headers: {} }
}

function timestampedFromSource(entry: ChangelogEntry): ChangelogRecord {
  if (entry.value === null) return { key: entry.key as Buffer, value: null }
  const value = Buffer.allocUnsafe(8 + entry.value.length)
  value.writeBigInt64BE(BigInt(entry.timestamp), 0)
  entry.value.copy(value, 8)
  return { key: entry.key as Buffer, value }
}
