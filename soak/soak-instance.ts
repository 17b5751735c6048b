/**
 * One instance of the soak application, run in a child process so that the soak can SIGKILL it.
 * Settings come as JSON in SOAK_INSTANCE. It prints one line per event for the parent:
 * `STATE <state>` on every change, `STATUS {...}` every second (state, records processed, records
 * dropped as late; metrics() asks the cluster for lags, so not more often), `WARNING ...`,
 * and `ERROR ...` before it exits with 1 when the instance fails. SIGTERM closes it cleanly.
 */
import { KafkaStreams, stateDirectoryInstanceId, type ProcessingGuarantee } from '../src/runtime/index.js'
import { soakTopology } from './soak-topology.js'

export interface SoakInstanceSettings {
  readonly applicationId: string
  readonly bootstrapServers: string[]
  readonly stateDir: string
  readonly processingGuarantee: ProcessingGuarantee
}

const STATUS_EVERY_MS = 1_000

const settings = JSON.parse(process.env.SOAK_INSTANCE ?? '{}') as SoakInstanceSettings
// Default settings, with the static membership `tributary run` uses: a restarted instance takes
// its predecessor's place in the group without waiting for its session to expire.
const app = new KafkaStreams(soakTopology(), {
  applicationId: settings.applicationId,
  bootstrapServers: settings.bootstrapServers,
  stateDir: settings.stateDir,
  processingGuarantee: settings.processingGuarantee,
  groupInstanceId: stateDirectoryInstanceId(settings.stateDir, settings.applicationId),
})

app.on('error', (error) => {
  console.log(`ERROR ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`.replaceAll('\n', ' | '))
  process.exit(1)
})
app.on('stateChange', (state) => console.log(`STATE ${state}`))
app.on('warning', (warning) => console.log(`WARNING ${warning.code} ${warning.message}`.replaceAll('\n', ' | ')))

const status = setInterval(() => {
  app.metrics().then(
    (m) => console.log(`STATUS ${JSON.stringify({ state: m.state, processed: m.records.processedTotal, late: m.dropped.late })}`),
    () => undefined,
  )
}, STATUS_EVERY_MS)

process.on('SIGTERM', () => {
  clearInterval(status)
  app.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.log(`ERROR closing: ${String(error)}`)
      process.exit(1)
    },
  )
})

try {
  await app.start()
} catch (error) {
  console.log(`ERROR starting: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`.replaceAll('\n', ' | '))
  process.exit(1)
}
