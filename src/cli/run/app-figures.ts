import { directoryBytes, type KafkaStreams } from '../../runtime/index.js'
import type { AppFigures } from './run-monitor.js'

/**
 * What the status line shows about the running application, from `app.metrics()`: records
 * processed, consumer lag summed over the owned partitions and the stores' bytes on disk. When the
 * runtime cannot say (no task yet, in-memory stores), the state size is measured on disk instead.
 */
export async function appFigures(app: KafkaStreams, appStateDir: string): Promise<AppFigures> {
  let metrics
  try {
    metrics = await app.metrics()
  } catch {
    return { stateBytes: await directoryBytes(appStateDir) }
  }
  const storeBytes = metrics.stores.map((s) => s.bytesOnDisk).filter((b): b is number => b !== undefined)
  return {
    processed: metrics.records.processedTotal,
    ...(metrics.consumerLag === undefined ? {} : { lag: metrics.consumerLag.reduce((sum, p) => sum + p.lag, 0) }),
    stateBytes: storeBytes.length > 0 ? storeBytes.reduce((a, b) => a + b, 0) : await directoryBytes(appStateDir),
  }
}
