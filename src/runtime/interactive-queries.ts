import { StateStoreError, type TributaryErrorOptions } from '../core/errors.js'
import type { StateStore } from '../state/types.js'
import { queryableStoreSpec, type QueryableStoreType } from '../topology/queryable-store-types.js'
import type { Topology } from '../topology/topology.js'
import type { StreamTask } from '../engine/stream-task.js'
import { guardAgainstClose, retriableIn } from './closing-store-guard.js'
import type { KafkaStreamsState } from './streams-events.js'

/**
 * A local store cannot be queried right now (Kafka Streams' InvalidStateStoreException). When
 * `canRetry` is true the instance is starting or rebalancing (its stores are being restored or
 * moved): retry shortly. When false the instance is shutting down or failed: query another one.
 * Its `code` is `TRIBUTARY_STATE`.
 */
export class InvalidStateStoreError extends StateStoreError {
  constructor(message: string, options?: TributaryErrorOptions) {
    super(message, options)
    this.name = 'InvalidStateStoreError'
  }
}

/** What a local store view needs from the running instance. */
export interface LocalStoreAccess {
  state(): KafkaStreamsState
  /** The tasks whose stores are restored (a task appears only once its restoration completed). */
  tasks(): readonly StreamTask[]
  /** The instance's copy of a global table's store, once its global tables are bootstrapped. */
  globalStore?(name: string): StateStore | undefined
  /**
   * Tasks assigned to this instance that hold the store but do not serve yet: being created and
   * restored, or recreated after a failure. While there are any, part of the store is missing.
   */
  pendingTasks?(storeName: string): readonly string[]
}

/** Fails unless the instance's stores can be read now; see `InvalidStateStoreError`. */
export function checkQueryable(storeName: string, state: KafkaStreamsState): void {
  switch (state) {
    case 'RUNNING':
      return
    case 'CREATED':
    case 'REBALANCING':
      throw new InvalidStateStoreError(
        `State store "${storeName}" cannot be queried while the instance is ${state}: its tasks are being assigned and their stores restored. ` +
          'Retry once the instance is RUNNING (listen for the stateChange event).',
        { canRetry: true },
      )
    default:
      throw new InvalidStateStoreError(
        `State store "${storeName}" cannot be queried: the instance is ${state} and its stores are closed. Query another instance of the application.`,
        { canRetry: false },
      )
  }
}

/**
 * A read-only view of store `name` across every task of this instance that holds it. Unknown
 * names and stores of another kind fail at once with a ConfigError; each read checks the
 * instance's state and fails with an InvalidStateStoreError while the stores are not available.
 */
export function localStoreView<T>(topology: Topology, name: string, type: QueryableStoreType<T>, access: LocalStoreAccess): T {
  const spec = queryableStoreSpec(topology.stores, name, type.storeType)
  return type.create(spec, () => {
    const state = access.state()
    // A global table: one full copy per instance, bootstrapped before start() resolved and kept
    // up to date whatever the group does, so a rebalance does not take it away (Kafka Streams
    // serves global stores while RUNNING or REBALANCING; local ones only while RUNNING).
    const global = spec.global === true && (state === 'RUNNING' || state === 'REBALANCING') ? access.globalStore?.(name) : undefined
    if (global !== undefined) return [global]
    checkQueryable(name, state)
    const pending = access.pendingTasks?.(name) ?? []
    if (pending.length > 0) {
      throw new InvalidStateStoreError(
        `State store "${name}" is being restored for task(s) ${pending.join(', ')} of this instance, so part of it is missing. Retry shortly.`,
        { canRetry: true },
      )
    }
    const stores: StateStore[] = []
    for (const task of access.tasks()) {
      if (task.spec.subtopology.stores.includes(name)) stores.push(guardAgainstClose(task.stateStore(name), (cause) => closedUnderRead(name, task, access, cause)))
    }
    return stores
  })
}

/**
 * A read failed: when its task was closed meanwhile (a rebalance moved it, or the instance is
 * closing), the query gets an InvalidStateStoreError, retriable while the instance serves.
 */
function closedUnderRead(name: string, task: StreamTask, access: LocalStoreAccess, cause: unknown): InvalidStateStoreError | undefined {
  const state = access.state()
  if (state === 'RUNNING' && access.tasks().includes(task)) return undefined
  const canRetry = retriableIn(state)
  return new InvalidStateStoreError(
    `State store "${name}" of task ${task.taskId} was closed while it was being read (the instance is ${state}` +
      `${canRetry ? ': a rebalance moved the task' : ''}). ${canRetry ? 'Retry the query; the task may now live on another instance.' : 'Query another instance of the application.'}`,
    { canRetry, cause },
  )
}
