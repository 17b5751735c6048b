/**
 * The window-count workload written with @kafkats/flow, run by `--peers` in a process of its own
 * (see child-service.ts), so that its CPU time is measured as Tributary's application's is. The
 * package is loaded from the peers' cache directory, never from the project's dependencies.
 *
 * Settings: at-least-once (the library's default), offsets committed every 100 ms (its runEach
 * autoCommitIntervalMs; Tributary's commitIntervalMs in the bench), in-memory stores backed by
 * changelog topics (its defaults), one stream thread; everything else the library's defaults
 * (producer acks=all, lingerMs 5). The records, topics and result keys are those of
 * bench/suite/scenarios/window-count.ts.
 */
import { VELOCITY_TOPICS } from '../../../topologies/velocity/domain.js'
import { serveChild } from '../child-service.js'
import { COUNT_OUTPUT_TOPIC, COUNT_WINDOW_MS, minuteKey } from '../scenarios/window-count.js'
import { requireFromCache } from './peer-install.js'

export interface PeerProgramOptions {
  readonly cacheDir: string
  readonly bootstrapServers: string
  readonly applicationId: string
  readonly commitIntervalMs: number
  readonly scenario: string
  readonly variant: string
}

/** The part of @kafkats/flow's API this program uses (the package ships its own types, but is not installed at build time). */
interface FlowModule {
  flow(config: Record<string, unknown>): FlowApp
  TimeWindows: { of(sizeMs: number): unknown }
  string(): unknown
  json(): unknown
}
interface FlowApp {
  stream(topic: string, options: { key: unknown; value: unknown }): FlowStream<string, { driverId: string }>
  start(): Promise<void>
  close(): Promise<void>
  state(): string
}
interface FlowStream<K, V> {
  groupByKey(): { windowedBy(windows: unknown): { count(): { toStream(): FlowStream<{ key: K; window: { start: number } }, number> } } }
  map<K2, V2>(fn: (key: K | null, value: V | null) => readonly [K2, V2]): FlowStream<K2, V2>
  to(topic: string, options: { key: unknown; value: unknown }): void
}

async function startWindowCount(options: PeerProgramOptions, fail: (error: unknown) => void): Promise<{ started: Record<string, never>; close(): Promise<Record<string, never>> }> {
  if (options.scenario !== 'window-count') throw new Error(`@kafkats/flow has no program for ${options.scenario}/${options.variant}.`)
  const lib = requireFromCache<FlowModule>(options.cacheDir, '@kafkats/flow')
  const app = lib.flow({
    applicationId: options.applicationId,
    client: { brokers: [options.bootstrapServers], clientId: `${options.applicationId}-client` },
    processingGuarantee: 'at_least_once',
    commitIntervalMs: options.commitIntervalMs,
    runEach: { autoCommit: true, autoCommitIntervalMs: options.commitIntervalMs },
  })
  app
    .stream(VELOCITY_TOPICS.vehicleLocations, { key: lib.string(), value: lib.json() })
    .groupByKey()
    .windowedBy(lib.TimeWindows.of(COUNT_WINDOW_MS))
    .count()
    .toStream()
    .map((windowed, count) => [minuteKey(windowed?.key ?? '', windowed?.window.start ?? 0), count ?? 0] as const)
    .to(COUNT_OUTPUT_TOPIC, { key: lib.string(), value: lib.json() })
  await app.start()
  // The library reports a failed worker through its state, not by throwing to the caller.
  const watch = setInterval(() => {
    if (app.state() === 'ERROR') {
      clearInterval(watch)
      fail(new Error('@kafkats/flow went to state ERROR.'))
    }
  }, 250)
  return {
    started: {},
    close: async () => {
      clearInterval(watch)
      await app.close()
      return {}
    },
  }
}

if (process.argv[2] === '--serve') await serveChild(startWindowCount)
