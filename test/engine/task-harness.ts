import { isPromiseLike } from '../../src/core/maybe-promise.js'
import type { ChangelogReader, ChangelogRestorerOptions, RawRecord, StreamTaskConfig } from '../../src/engine/index.js'
import { formatTaskId, StateDirectory, StreamTask, tasksForTopology } from '../../src/engine/index.js'
import type { StoreSupplierKind } from '../../src/state/types.js'
import type { Topology } from '../../src/topology/topology.js'
import { defaultSerdes, FakeCollector } from '../runtime/fixtures.js'

export const APP = 'app'

export interface HarnessOptions extends Partial<Omit<StreamTaskConfig, 'writer' | 'stateDirectory' | 'storeSupplier'>> {
  readonly collector?: FakeCollector
  readonly reader?: ChangelogReader
  readonly restore?: ChangelogRestorerOptions
}

/** Builds the task `taskId` of the topology for the given partition counts, initialized and ready to process. */
export async function openTask(
  topology: Topology,
  counts: Record<string, number>,
  taskId: string,
  stateDir: string,
  supplier: StoreSupplierKind,
  options: HarnessOptions = {},
): Promise<{ task: StreamTask; collector: FakeCollector }> {
  const spec = tasksForTopology(topology, APP, new Map(Object.entries(counts))).find((t) => formatTaskId(t.id) === taskId)
  if (spec === undefined) throw new Error(`no task ${taskId}`)
  const collector = options.collector ?? new FakeCollector()
  const { reader, restore, ...config } = options
  const task = new StreamTask(topology, spec, {
    applicationId: APP,
    defaultSerdes,
    ...config,
    writer: collector,
    stateDirectory: new StateDirectory(stateDir, APP),
    storeSupplier: supplier,
  })
  await task.initializeStores()
  if (reader !== undefined) await task.restoreChangelogs(reader, restore)
  await task.completeRestoration()
  return { task, collector }
}

/** Adds the records and processes until the task has nothing processable. */
export async function feed(task: StreamTask, records: readonly RawRecord[], wallClockMs = 0): Promise<void> {
  const added = task.addRecords(records)
  if (isPromiseLike(added)) await added
  for (;;) {
    const processed = task.process(wallClockMs)
    if (!(isPromiseLike(processed) ? await processed : processed)) return
  }
}

/** A full at-least-once commit: flush stores, "produce" (flush the collector), then checkpoint. */
export async function commit(task: StreamTask, collector: FakeCollector) {
  const offsets = await task.prepareCommit()
  collector.flush()
  task.postCommit()
  return offsets
}
