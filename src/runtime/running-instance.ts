import type { KafkaAdmin, KafkaConsumer, KafkaReader } from '../kafka/types.js'
import type { GlobalStateManager } from './global-state-manager.js'
import type { KafkaRecordWriter } from './kafka-services.js'
import type { ProducerHolder } from './producer-holder.js'
import type { StandbyTasks } from './standby-tasks.js'
import type { TaskManager } from './task-manager.js'
import type { AssignedGeneration, TaskRecovery } from './task-recovery.js'
import type { TransactionSink } from './transaction-sink.js'

/** What `openInstance` builds; see `RunningInstance`. */
export interface RunningParts {
  readonly admin: KafkaAdmin
  readonly consumer: KafkaConsumer
  readonly producer: ProducerHolder
  readonly reader: KafkaReader
  readonly collector: KafkaRecordWriter
  readonly tasks: TaskManager
  readonly standbys: StandbyTasks
  readonly transaction: TransactionSink | undefined
  readonly generation: AssignedGeneration
  readonly recovery: TaskRecovery
  readonly globalTables: GlobalTables
  readonly sourceTopics: readonly string[]
}

/** The instance's global tables: none until bootstrapped, none again once closed. */
export class GlobalTables {
  private manager: GlobalStateManager | undefined

  constructor(private readonly open: () => Promise<GlobalStateManager | undefined>) {}

  current(): GlobalStateManager | undefined {
    return this.manager
  }

  async bootstrap(): Promise<void> {
    this.manager = await this.open()
  }

  /** A clean close writes their checkpoint; their reader is closed with them. */
  async close(clean: boolean): Promise<void> {
    const manager = this.manager
    this.manager = undefined
    await manager?.close(clean)
  }
}

/**
 * Everything one started instance holds: its clients, the collector (and transaction under
 * exactly_once_v2), the tasks, their recovery, and the global tables. It is closed as a whole.
 */
export class RunningInstance {
  readonly admin: KafkaAdmin
  readonly consumer: KafkaConsumer
  readonly producer: ProducerHolder
  readonly reader: KafkaReader
  readonly collector: KafkaRecordWriter
  readonly tasks: TaskManager
  /** The standby tasks, kept up to date beside the processing loop. */
  readonly standbys: StandbyTasks
  /** Under exactly_once_v2 only. */
  readonly transaction: TransactionSink | undefined
  readonly generation: AssignedGeneration
  readonly recovery: TaskRecovery
  private readonly globalTables: GlobalTables
  private readonly sourceTopics: readonly string[]

  constructor(parts: RunningParts) {
    this.admin = parts.admin
    this.consumer = parts.consumer
    this.producer = parts.producer
    this.reader = parts.reader
    this.collector = parts.collector
    this.tasks = parts.tasks
    this.standbys = parts.standbys
    this.transaction = parts.transaction
    this.generation = parts.generation
    this.recovery = parts.recovery
    this.globalTables = parts.globalTables
    this.sourceTopics = parts.sourceTopics
  }

  /** The global tables while they are open; undefined without any. */
  globalState(): GlobalStateManager | undefined {
    return this.globalTables.current()
  }

  /** Joins the group; resolves once the first assignment is restored. */
  async join(): Promise<void> {
    // Kafka Streams initializes its transactional producer before its tasks read their committed
    // offsets: a predecessor killed between adding offsets to its transaction and committing it
    // (the same transactional id) would otherwise hold them unstable until its transaction timeout.
    await this.transaction?.init()
    await this.consumer.subscribe(this.sourceTopics, this.recovery.listener())
    this.generation.adopt()
  }

  /** Aborts the open transaction, if any; a fenced or broken producer cannot, and the broker aborts it instead. */
  async abortTransaction(): Promise<void> {
    await this.transaction?.abort().catch(() => undefined)
  }

  /**
   * Closes the tasks (a clean close writes their checkpoints and commits what their stores still
   * flush), the global tables and the clients. Every step is tried; a clean close throws the
   * first failure.
   */
  async close(clean: boolean): Promise<void> {
    this.producer.retire()
    let failure: unknown
    try {
      await this.tasks.closeAll(clean)
      // A clean close may still flush a store; its records go out before the producer closes.
      if (clean) {
        await this.collector.flush()
        // Under exactly-once such records are in a transaction of their own, committed here.
        await this.transaction?.commit(this.generation.metadata(), [])
      }
    } catch (error) {
      failure = error
    }
    // Standbys need the consumer (committed offsets of source topics) until they are closed.
    await this.standbys.close(clean).catch((error: unknown) => {
      failure ??= error
    })
    await this.closeGlobalState(clean).catch((error: unknown) => {
      failure ??= error
    })
    for (const client of [this.consumer, this.producer.current(), this.reader, this.admin]) {
      await client.close().catch((error: unknown) => {
        failure ??= error
      })
    }
    if (failure !== undefined && clean) throw failure
  }

  /** Closes the global tables only; `close` does it too, after the tasks. */
  async closeGlobalState(clean: boolean): Promise<void> {
    await this.globalTables.close(clean)
  }

  /** Reads the global tables up to their end offsets; before any task exists. */
  async bootstrapGlobalTables(): Promise<void> {
    await this.globalTables.bootstrap()
  }
}
