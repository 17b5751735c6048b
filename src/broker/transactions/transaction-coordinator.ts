import type { GroupService } from '../broker-context.js'
import type { TxnOffsetCommitInput } from '../groups/index.js'
import { ControlType } from '../log/control-batch.js'
import { DEFAULT_DURABILITY, type LogDurability } from '../log/durability.js'
import type { PartitionLog } from '../log/partition-log.js'
import { isControlBatch, isTransactional, readBatchHeader } from '../log/record-batch.js'
import type { BrokerLogger } from '../logger.js'
import { ErrorCode } from '../protocol/error-codes.js'
import type { FetchWaiters } from '../server/fetch-waiters.js'
import type { TopicRegistry } from '../topics.js'
import { KeyedMutex } from './keyed-mutex.js'
import { hasPartition, type TxnMetadata, type TxnPartition } from './txn-metadata.js'
import { TxnStore } from './txn-store.js'

export interface TransactionCoordinatorOptions {
  dataDir: string
  topics: TopicRegistry
  /** The group coordinator, which applies transactional offset commits. */
  groups: () => GroupService | null
  fetchWaiters: FetchWaiters
  logger: BrokerLogger
  now: () => number
  /** Hands out a producer id no other producer uses. */
  allocateProducerId: () => bigint
  /** Kafka's `transaction.max.timeout.ms` (default 900 000): longer timeouts are refused. */
  maxTimeoutMs?: number
  /** How often open transactions are checked against their timeout (Kafka's default is 10 s). */
  timeoutCheckIntervalMs?: number
  /**
   * When the transaction log and the markers are synced: before the operation completes in fsync
   * mode 'always', else as flush.messages / flush.ms say (Kafka's `__transaction_state` is a log
   * like any other). Default: Kafka's, no sync per operation.
   */
  durability?: LogDurability
}

export interface ProducerIdAndEpoch {
  errorCode: number
  producerId: bigint
  producerEpoch: number
}

const MAX_EPOCH = 32767

/** Between an EndTxn's decision and its last marker; only a failed write leaves one there. */
function isPreparing(meta: TxnMetadata): boolean {
  return meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort'
}
/** Markers carry the coordinator epoch; a single broker never changes coordinator. */
const COORDINATOR_EPOCH = 0

/**
 * The transaction coordinator (Kafka's TransactionCoordinator with TransactionStateManager):
 * transactional ids and their producer id and epoch, the partitions and consumer groups of each
 * open transaction, commit and abort with markers written to every partition of the transaction,
 * fencing of zombies by epoch, and abort of transactions older than their timeout. State lives
 * in the transaction log. On start, half-finished commits and aborts are completed, and a
 * transaction the previous run left open stays open, as in Kafka: its producer may go on writing
 * to it and end it (the partitions rebuild its open transaction and sequence numbers from their
 * logs, and its pending offsets come back from the transaction log), or its timeout aborts it
 * (at once if it ran out while the broker was down).
 */
export class TransactionCoordinator {
  private readonly txns = new Map<string, TxnMetadata>()
  private readonly byProducer = new Map<bigint, TxnMetadata>()
  private readonly locks = new KeyedMutex()
  private readonly store: TxnStore
  private readonly maxTimeoutMs: number
  /** Markers are synced before a transaction counts as complete only in fsync mode 'always'. */
  private readonly syncMarkers: boolean
  private timer: NodeJS.Timeout | undefined
  private state: 'loading' | 'active' | 'closed' = 'loading'

  constructor(private readonly options: TransactionCoordinatorOptions) {
    const durability = options.durability ?? DEFAULT_DURABILITY
    this.store = new TxnStore(options.dataDir, options.logger, durability)
    this.maxTimeoutMs = options.maxTimeoutMs ?? 900_000
    this.syncMarkers = durability.fsync === 'always'
  }

  /**
   * Reads the transaction log, completes the commits and aborts a previous run decided, and takes
   * over the transactions it left open (aborting those already past their timeout).
   */
  async load(): Promise<void> {
    for (const meta of await this.store.load()) this.remember(meta)
    for (const meta of [...this.txns.values()]) {
      if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') {
        await this.finish(meta, meta.state === 'PrepareCommit')
      } else if (meta.state === 'Ongoing' && this.expired(meta)) {
        this.options.logger.info('aborting a transaction left open by the previous run that exceeded its timeout', { transactionalId: meta.transactionalId, timeoutMs: meta.timeoutMs })
        await this.fenceAndAbort(meta)
      } else if (meta.state === 'Ongoing') {
        this.resume(meta)
      }
    }
    // Skips the partitions of the transactions just resumed: they are accounted for.
    await this.abortOrphanedTransactions()
    this.state = 'active'
    const interval = this.options.timeoutCheckIntervalMs ?? 10_000
    this.timer = setInterval(() => void this.abortTimedOut(), interval)
    this.timer.unref()
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return
    this.state = 'closed'
    clearInterval(this.timer)
    await this.locks.idle()
    await this.store.close()
  }

  /** Writes waiting in the transaction log or being made durable, for the broker's watchdog. */
  queuedLogWrites(): number {
    return this.store.queuedWrites
  }

  /** The metadata of a transactional id, for tests and diagnostics. */
  describe(transactionalId: string): Readonly<TxnMetadata> | undefined {
    return this.txns.get(transactionalId)
  }

  /**
   * InitProducerId with a transactional id. A new id gets a fresh producer id with epoch 0; a
   * known one gets its epoch bumped, which fences the previous producer, after aborting its open
   * transaction. A presented producer id and epoch (v3+, other than -1/-1 or 0/0, which some
   * clients send for "none") must be the current ones, else the caller is a fenced zombie.
   */
  initProducerId(transactionalId: string, timeoutMs: number, presentedId: bigint, presentedEpoch: number): Promise<ProducerIdAndEpoch> {
    const refused = (errorCode: number): ProducerIdAndEpoch => ({ errorCode, producerId: -1n, producerEpoch: -1 })
    if (transactionalId === '') return Promise.resolve(refused(ErrorCode.INVALID_REQUEST))
    if (timeoutMs <= 0 || timeoutMs > this.maxTimeoutMs) return Promise.resolve(refused(ErrorCode.INVALID_TRANSACTION_TIMEOUT))
    return this.guarded(transactionalId, refused(ErrorCode.COORDINATOR_NOT_AVAILABLE), async () => {
      const now = this.options.now()
      const existing = this.txns.get(transactionalId)
      if (existing === undefined) {
        const meta = this.fresh(transactionalId, this.options.allocateProducerId(), 0, timeoutMs, now)
        await this.persist(meta)
        return { errorCode: ErrorCode.NONE, producerId: meta.producerId, producerEpoch: 0 }
      }
      // KIP-360: a producer presenting an id and epoch (anything but -1, -1, including 0, 0) asks
      // to bump its own epoch; any other producer's is fenced, as Kafka does.
      const presented = !(presentedId === -1n && presentedEpoch === -1)
      if (presented && (presentedId !== existing.producerId || presentedEpoch !== existing.producerEpoch)) return refused(ErrorCode.PRODUCER_FENCED)
      const current = existing.state === 'Ongoing' ? await this.fenceAndAbort(existing) : await this.settled(existing)
      // An exhausted epoch moves the transactional id to a new producer id (Kafka does the same).
      const meta =
        current.producerEpoch >= MAX_EPOCH - 1
          ? this.fresh(transactionalId, this.options.allocateProducerId(), 0, timeoutMs, now)
          : this.fresh(transactionalId, current.producerId, current.producerEpoch + 1, timeoutMs, now)
      await this.persist(meta)
      return { errorCode: ErrorCode.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch }
    })
  }

  /** AddPartitionsToTxn: starts the transaction if none is open. Partitions must exist (the handler checks). */
  addPartitions(transactionalId: string, producerId: bigint, producerEpoch: number, partitions: TxnPartition[]): Promise<number> {
    return this.guarded(transactionalId, ErrorCode.COORDINATOR_NOT_AVAILABLE, async () => {
      const meta = this.txns.get(transactionalId)
      const error = this.checkProducer(meta, producerId, producerEpoch)
      if (error !== ErrorCode.NONE || meta === undefined) return error
      if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') return ErrorCode.CONCURRENT_TRANSACTIONS // see settled()
      const added: TxnPartition[] = []
      for (const p of partitions) {
        if (!hasPartition(meta, p.topic, p.partition) && !added.some((a) => a.topic === p.topic && a.partition === p.partition)) added.push(p)
      }
      if (meta.state === 'Ongoing' && added.length === 0) return ErrorCode.NONE
      await this.persist({ ...this.begin(meta), partitions: [...meta.partitions, ...added] })
      return ErrorCode.NONE
    })
  }

  /**
   * AddPartitionsToTxn v4+ with verifyOnly, as Kafka's coordinator verifies for its partition
   * leaders: for each partition, whether the producer's open transaction holds it (NONE) or not
   * (TRANSACTION_ABORTABLE), adding nothing. One code per partition, in order.
   */
  verifyPartitions(transactionalId: string, producerId: bigint, producerEpoch: number, partitions: TxnPartition[]): Promise<number[]> {
    const all = (code: number): number[] => partitions.map(() => code)
    return this.guarded(transactionalId, all(ErrorCode.COORDINATOR_NOT_AVAILABLE), () => {
      const meta = this.txns.get(transactionalId)
      const error = this.checkProducer(meta, producerId, producerEpoch)
      if (error !== ErrorCode.NONE || meta === undefined) return Promise.resolve(all(error))
      if (isPreparing(meta)) return Promise.resolve(all(ErrorCode.CONCURRENT_TRANSACTIONS))
      const holds = (p: TxnPartition): boolean => meta.state === 'Ongoing' && hasPartition(meta, p.topic, p.partition)
      return Promise.resolve(partitions.map((p) => (holds(p) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE)))
    })
  }

  /** AddOffsetsToTxn: the group's offsets may now be committed in this transaction. */
  addOffsets(transactionalId: string, producerId: bigint, producerEpoch: number, groupId: string): Promise<number> {
    return this.guarded(transactionalId, ErrorCode.COORDINATOR_NOT_AVAILABLE, async () => {
      const meta = this.txns.get(transactionalId)
      const error = this.checkProducer(meta, producerId, producerEpoch)
      if (error !== ErrorCode.NONE || meta === undefined) return error
      if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') return ErrorCode.CONCURRENT_TRANSACTIONS
      if (meta.state === 'Ongoing' && meta.groups.includes(groupId)) return ErrorCode.NONE
      await this.persist({ ...this.begin(meta), groups: [...meta.groups, groupId] })
      return ErrorCode.NONE
    })
  }

  /**
   * TxnOffsetCommit: the group coordinator validates the committer and holds the offsets as
   * pending; they are kept (durably) with the transaction and applied only if it commits. A group
   * not added to the open transaction gets TRANSACTION_ABORTABLE, as from Kafka's verification
   * (the handler tells clients older than v4 INVALID_TXN_STATE). Returns one error code per
   * requested partition, in request order.
   */
  txnOffsetCommit(transactionalId: string, producerEpoch: number, request: TxnOffsetCommitInput): Promise<number[]> {
    const all = (code: number): number[] => request.topics.flatMap((t) => t.partitions.map(() => code))
    return this.guarded(transactionalId, all(ErrorCode.COORDINATOR_NOT_AVAILABLE), async () => {
      const meta = this.txns.get(transactionalId)
      const error = this.checkProducer(meta, request.producerId, producerEpoch)
      if (error !== ErrorCode.NONE || meta === undefined) return all(error)
      if (isPreparing(meta)) return all(ErrorCode.INVALID_TXN_STATE)
      if (meta.state !== 'Ongoing' || !meta.groups.includes(request.groupId)) return all(ErrorCode.TRANSACTION_ABORTABLE)
      const groups = this.options.groups()
      if (groups === null) return all(ErrorCode.COORDINATOR_NOT_AVAILABLE)
      const result = groups.stageTxnOffsets(request)
      if (result.accepted.length > 0) {
        const previous = meta.pendingOffsets.find((g) => g.groupId === request.groupId)?.entries ?? []
        const replaced = previous.filter((e) => !result.accepted.some((a) => a.topic === e.topic && a.partition === e.partition))
        const pendingOffsets = [...meta.pendingOffsets.filter((g) => g.groupId !== request.groupId), { groupId: request.groupId, entries: [...replaced, ...result.accepted] }]
        await this.persist({ ...meta, pendingOffsets, lastUpdateTimestamp: this.options.now() })
      }
      return result.errors.map((e) => e.errorCode)
    })
  }

  /** EndTxn: commits or aborts the open transaction; a retry of a finished one succeeds. */
  endTxn(transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean): Promise<number> {
    return this.guarded(transactionalId, ErrorCode.COORDINATOR_NOT_AVAILABLE, async () => {
      const meta = this.txns.get(transactionalId)
      const error = this.checkProducer(meta, producerId, producerEpoch)
      if (error !== ErrorCode.NONE || meta === undefined) return error
      switch (meta.state) {
        case 'Ongoing':
          await this.complete(meta, commit)
          return ErrorCode.NONE
        case 'CompleteCommit':
          return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE
        case 'CompleteAbort':
          return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE
        // Only left behind by a failed marker or log write: the retry carries the decision out.
        case 'PrepareCommit':
          if (!commit) return ErrorCode.INVALID_TXN_STATE
          await this.finish(meta, true)
          return ErrorCode.NONE
        case 'PrepareAbort':
          if (commit) return ErrorCode.INVALID_TXN_STATE
          await this.finish(meta, false)
          return ErrorCode.NONE
        case 'Empty':
          return ErrorCode.INVALID_TXN_STATE
      }
    })
  }

  /**
   * Checks the transactional batches of a produce to one partition: the producer must hold the
   * current epoch of its transactional id and have added the partition to its open transaction.
   * A partition outside it gets TRANSACTION_ABORTABLE, as from Kafka's transaction verification
   * (KIP-890); the Produce handler tells clients older than v11 INVALID_TXN_STATE instead.
   */
  verifyProduce(topic: string, partition: number, records: Buffer): number {
    let pos = 0
    while (pos < records.length) {
      const header = readBatchHeader(records, pos, false)
      if (typeof header === 'string') return ErrorCode.NONE // the log refuses it with the precise reason
      if (isTransactional(header.attributes) && !isControlBatch(header.attributes)) {
        const meta = this.byProducer.get(header.producerId)
        if (meta === undefined) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
        if (header.producerEpoch !== meta.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH
        if (isPreparing(meta)) return ErrorCode.INVALID_TXN_STATE
        if (meta.state !== 'Ongoing' || !hasPartition(meta, topic, partition)) return ErrorCode.TRANSACTION_ABORTABLE
      }
      pos += header.size
    }
    return ErrorCode.NONE
  }

  /** Aborts, with a fencing epoch bump, every open transaction older than its timeout. */
  async abortTimedOut(): Promise<number> {
    if (this.state !== 'active') return 0
    const expired = (m: TxnMetadata | undefined): m is TxnMetadata => m?.state === 'Ongoing' && this.expired(m)
    let aborted = 0
    for (const meta of [...this.txns.values()]) {
      if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') await this.guarded(meta.transactionalId, undefined, () => this.settled(this.txns.get(meta.transactionalId) ?? meta))
      if (!expired(meta)) continue
      await this.guarded(meta.transactionalId, undefined, async () => {
        const current = this.txns.get(meta.transactionalId)
        if (!expired(current)) return
        this.options.logger.info('aborting a transaction that exceeded its timeout', { transactionalId: current.transactionalId, timeoutMs: current.timeoutMs })
        await this.fenceAndAbort(current)
        aborted++
      })
    }
    return aborted
  }

  /** Kafka's test: the transaction started longer ago than its timeout (wall clock, so a restart does not reset it). */
  private expired(meta: TxnMetadata): boolean {
    return this.options.now() > meta.txnStartTimestamp + meta.timeoutMs
  }

  /**
   * Takes over a transaction the previous run left open. Its partitions rebuilt its open
   * transaction and its producer's sequence numbers from their logs; its offsets, kept in the
   * transaction log, are pending in their groups again, so OffsetFetch with requireStable keeps
   * reporting them unstable until the transaction ends.
   */
  private resume(meta: TxnMetadata): void {
    this.options.logger.info('keeping a transaction left open by the previous run', { transactionalId: meta.transactionalId, partitions: meta.partitions.length })
    const groups = this.options.groups()
    for (const pending of meta.pendingOffsets) groups?.restoreTxnOffsets(pending.groupId, meta.producerId, pending.entries)
  }

  private checkProducer(meta: TxnMetadata | undefined, producerId: bigint, producerEpoch: number): number {
    if (meta === undefined || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
    if (meta.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED
    return ErrorCode.NONE
  }

  /** The metadata with a transaction open: a finished one is left behind, a running one kept. */
  private begin(meta: TxnMetadata): TxnMetadata {
    const now = this.options.now()
    if (meta.state === 'Ongoing') return { ...meta, lastUpdateTimestamp: now }
    return { ...meta, state: 'Ongoing', partitions: [], groups: [], pendingOffsets: [], txnStartTimestamp: now, lastUpdateTimestamp: now }
  }

  private fresh(transactionalId: string, producerId: bigint, producerEpoch: number, timeoutMs: number, now: number): TxnMetadata {
    return { transactionalId, producerId, producerEpoch, timeoutMs, state: 'Empty', partitions: [], groups: [], pendingOffsets: [], txnStartTimestamp: -1, lastUpdateTimestamp: now }
  }

  /**
   * A decided transaction whose completion failed (a marker or log write error) is completed now;
   * requests always run after the whole of an EndTxn, so they see a Prepare state only then.
   */
  private async settled(meta: TxnMetadata): Promise<TxnMetadata> {
    if (meta.state !== 'PrepareCommit' && meta.state !== 'PrepareAbort') return meta
    await this.finish(meta, meta.state === 'PrepareCommit')
    return this.txns.get(meta.transactionalId) ?? meta
  }

  /** Bumps the epoch (so the current producer is fenced) and aborts its open transaction. */
  private async fenceAndAbort(meta: TxnMetadata): Promise<TxnMetadata> {
    const fenced = { ...meta, producerEpoch: Math.min(meta.producerEpoch + 1, MAX_EPOCH) }
    await this.complete(fenced, false)
    return this.txns.get(meta.transactionalId) ?? fenced
  }

  /** Persists the decision (PrepareCommit/PrepareAbort), then carries it out. */
  private async complete(meta: TxnMetadata, commit: boolean): Promise<void> {
    const prepared: TxnMetadata = { ...meta, state: commit ? 'PrepareCommit' : 'PrepareAbort', lastUpdateTimestamp: this.options.now() }
    await this.persist(prepared)
    await this.finish(prepared, commit)
  }

  /**
   * Writes the markers to every partition of the transaction (synced in fsync mode 'always'), applies or drops
   * the transaction's offsets, then records the transaction as complete. Repeating it after a
   * crash is harmless: a marker for a producer with no open transaction changes nothing.
   */
  private async finish(prepared: TxnMetadata, commit: boolean): Promise<void> {
    const now = this.options.now()
    const touched: PartitionLog[] = []
    for (const p of prepared.partitions) {
      const log = this.options.topics.partition(p.topic, p.partition)
      if (log === undefined) continue // deleted since it was added
      const type = commit ? ControlType.COMMIT : ControlType.ABORT
      log.appendMarker({ producerId: prepared.producerId, producerEpoch: prepared.producerEpoch, type, coordinatorEpoch: COORDINATOR_EPOCH, timestamp: now }, now)
      touched.push(log)
    }
    if (this.syncMarkers) await Promise.all(touched.map((log) => log.flush()))
    for (const p of prepared.partitions) this.options.fetchWaiters.notify(p.topic, p.partition)
    const groups = this.options.groups()
    const groupIds = new Set([...prepared.groups, ...prepared.pendingOffsets.map((g) => g.groupId)])
    for (const groupId of groupIds) {
      const entries = prepared.pendingOffsets.find((g) => g.groupId === groupId)?.entries ?? []
      await groups?.completeTxnOffsets(groupId, prepared.producerId, commit, entries)
    }
    await this.persist({
      ...prepared,
      state: commit ? 'CompleteCommit' : 'CompleteAbort',
      partitions: [],
      groups: [],
      pendingOffsets: [],
      txnStartTimestamp: -1,
      lastUpdateTimestamp: now,
    })
  }

  /**
   * A partition can hold an open transaction no transactional id accounts for (its id's record
   * was lost with a damaged log): abort it so the last stable offset can move on.
   */
  private async abortOrphanedTransactions(): Promise<void> {
    const now = this.options.now()
    const touched: PartitionLog[] = []
    for (const topic of this.options.topics.all()) {
      topic.partitions.forEach((log, partition) => {
        for (const producerId of log.transactions.openProducers()) {
          const meta = this.byProducer.get(producerId)
          if (meta?.state === 'Ongoing' && hasPartition(meta, topic.name, partition)) continue
          const producerEpoch = Math.max(meta?.producerEpoch ?? 0, log.producerEpoch(producerId))
          this.options.logger.warn('aborting an open transaction with no coordinator state', { topic: topic.name, partition, producerId: producerId.toString() })
          log.appendMarker({ producerId, producerEpoch, type: ControlType.ABORT, coordinatorEpoch: COORDINATOR_EPOCH, timestamp: now }, now)
          touched.push(log)
        }
      })
    }
    if (this.syncMarkers) await Promise.all(touched.map((log) => log.flush()))
  }

  private async persist(meta: TxnMetadata): Promise<void> {
    await this.store.write(meta)
    this.remember(meta)
  }

  private remember(meta: TxnMetadata): void {
    const previous = this.txns.get(meta.transactionalId)
    if (previous !== undefined && previous.producerId !== meta.producerId) this.byProducer.delete(previous.producerId)
    this.txns.set(meta.transactionalId, meta)
    this.byProducer.set(meta.producerId, meta)
  }

  /** Runs under the id's lock; a failed write is logged and answered with `onFailure`. */
  private async guarded<T>(transactionalId: string, onFailure: T, operation: () => Promise<T>): Promise<T> {
    if (this.state === 'closed') return onFailure
    try {
      return await this.locks.run(transactionalId, operation)
    } catch (error) {
      this.options.logger.error('transaction coordinator operation failed', { transactionalId, error: error instanceof Error ? error.message : String(error) })
      return onFailure
    }
  }
}
