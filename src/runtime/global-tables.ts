import type { KafkaClients } from '../kafka/index.js'
import type { IsolationLevel } from '../kafka/types.js'
import type { Topology } from '../topology/topology.js'
import type { DefaultSerdes } from '../topology/types.js'
import type { ResolvedStreamsConfig } from './config.js'
import { GlobalStateManager } from './global-state-manager.js'
import type { StateDirectory } from '../engine/state-directory.js'
import type { RecordWriter } from '../engine/types.js'

export interface GlobalTablesDeps {
  readonly topology: Topology
  readonly config: ResolvedStreamsConfig
  readonly clients: KafkaClients
  /** read_committed under exactly_once_v2: a global table never shows an aborted write. */
  readonly isolationLevel: IsolationLevel
  readonly partitionCounts: ReadonlyMap<string, number>
  readonly stateDirectory: StateDirectory
  readonly collector: RecordWriter
  readonly defaultSerdes: DefaultSerdes
}

/**
 * Opens and bootstraps the instance's global tables, if the topology has any: a reader of their
 * own (as Kafka Streams' global consumer), closed with them. Resolves once every global store holds
 * its topic up to the end offsets seen at start, i.e. before any task is created.
 */
export async function openGlobalTables(deps: GlobalTablesDeps): Promise<GlobalStateManager | undefined> {
  const { topology, config } = deps
  if (!GlobalStateManager.needed(topology)) return undefined
  const reader = deps.clients.reader({ isolationLevel: deps.isolationLevel })
  let readerClosed = false
  const closeReader = async () => {
    if (readerClosed) return
    readerClosed = true
    await reader.close()
  }
  let manager: GlobalStateManager
  try {
    manager = new GlobalStateManager({
      topology,
      applicationId: config.applicationId,
      stateDirectory: deps.stateDirectory,
      reader,
      partitionCounts: deps.partitionCounts,
      collector: deps.collector,
      storeSupplier: config.storeSupplier,
      defaultSerdes: deps.defaultSerdes,
      deserializationExceptionHandler: config.deserializationExceptionHandler,
      processingExceptionHandler: config.processingExceptionHandler,
      onClose: closeReader,
    })
  } catch (error) {
    await closeReader().catch(() => undefined)
    throw error
  }
  // A failed start closes the stores and the reader itself.
  await manager.start()
  return manager
}
