import { setTimeout as sleep } from 'node:timers/promises'
import { ConfigError, KafkaAuthenticationError, KafkaError } from '../core/errors.js'
import { isPromiseLike } from '../core/maybe-promise.js'
import { createKafkaClients, type KafkaAdmin, type KafkaProducer, type OutgoingRecord, type TopicSpec } from '../kafka/index.js'
import type { KafkaSecurityConfig } from '../kafka/security.js'
import type { SchemaRegistryAccess } from '../serde/index.js'
import { citySerdes, cityTopics, simulateCity, type CityOptions, type CityRecord, type CitySerdes } from '../../topologies/generator/index.js'

/** What `produceCity` is asked to do; `tls` and `sasl` secure its connections to the brokers. */
export interface ProduceCityOptions extends KafkaSecurityConfig {
  /** `host:port` of the brokers, one string or a list. */
  readonly bootstrapServers: string | readonly string[]
  /** Needed when `options.repairShop` is set: its topics hold Avro in a schema registry. */
  readonly schemaRegistryUrl?: string
  /** Credentials (and TLS) for a registry that asks for them. */
  readonly schemaRegistryAccess?: SchemaRegistryAccess
  /**
   * The city to simulate. `startMs` defaults to the current second (not the simulation's fixed
   * default), so that brokers with time-based retention keep the records.
   */
  readonly options?: CityOptions
  /** At most this many records per second (duplicates included). Default: no cap. */
  readonly ratePerSecond?: number
  /**
   * Default true: the records of simulated second n are sent once wall-clock second n is over,
   * so that the data arrives as the city lives it. False: as fast as the broker takes them.
   */
  readonly realTime?: boolean
  /** Partitions of the topics it creates (existing topics are left as they are). Default 3. */
  readonly partitions?: number
  /** Stops the run: what was sent stays sent, and the promise resolves with `aborted: true`. */
  readonly signal?: AbortSignal
  /** Called after each simulated second has been sent (and once more at the end). */
  readonly onProgress?: (progress: CityProgress) => void
  /** Default `tributary-generate`. */
  readonly clientId?: string
}

export interface CityProgress {
  /** Simulated seconds sent so far. */
  readonly simulatedSeconds: number
  readonly durationS: number
  /** Records sent so far, duplicates and tombstones included. */
  readonly sent: number
  readonly byTopic: Readonly<Record<string, number>>
  readonly elapsedMs: number
}

export interface CityRunResult {
  /** Records sent to each topic. */
  readonly byTopic: Readonly<Record<string, number>>
  readonly total: number
  /** The event time of the first simulated second. */
  readonly startMs: number
  readonly elapsedMs: number
  /** True when the signal stopped the run before the end of the simulation. */
  readonly aborted: boolean
}

/** Records per produce request: big enough for throughput, small enough to keep pacing smooth. */
const MAX_BATCH = 1000
/** Change-event topics keep the latest row per key, as Debezium's topics do. */
const COMPACTED_TOPICS = new Set(['driver_profiles', 'rider_profiles'])

/**
 * Simulates the city and sends its records to Kafka: creates the topics if they are missing,
 * encodes each record with its topic's serde (`citySerdes`) and sends them in delivery order
 * through an idempotent producer, paced in real time unless `realTime` is false.
 *
 * @example
 * const controller = new AbortController()
 * const result = await produceCity({
 *   bootstrapServers: '127.0.0.1:9092',
 *   options: { seed: 7, drivers: 100, durationS: 300 },
 *   signal: controller.signal,
 * })
 * console.log(result.byTopic.vehicle_locations)
 */
export async function produceCity(produce: ProduceCityOptions): Promise<CityRunResult> {
  const realTime = produce.realTime ?? true
  const rate = produce.ratePerSecond
  if (rate !== undefined && !(rate > 0)) throw new ConfigError(`ratePerSecond must be > 0, got ${String(rate)}.`)
  const partitions = produce.partitions ?? 3
  if (!Number.isInteger(partitions) || partitions < 1) throw new ConfigError(`partitions must be an integer >= 1, got ${String(partitions)}.`)
  const startMs = produce.options?.startMs ?? Math.floor(Date.now() / 1000) * 1000
  const cityOptions: CityOptions = { ...produce.options, startMs }
  const durationS = cityOptions.durationS ?? 600
  // Fails here, before any connection, on options the simulation rejects.
  const records = simulateCity(cityOptions)
  const first = records.next()
  const topics = cityTopics(cityOptions)
  const serdes = new Map(topics.map((topic) => [topic as string, citySerdes(topic, { schemaRegistryUrl: produce.schemaRegistryUrl, schemaRegistryAccess: produce.schemaRegistryAccess })]))

  const clientId = produce.clientId ?? 'tributary-generate'
  const servers = typeof produce.bootstrapServers === 'string' ? [produce.bootstrapServers] : produce.bootstrapServers
  const kafka = createKafkaClients({
    bootstrapServers: servers,
    clientId,
    applicationId: clientId,
    ...(produce.tls === undefined ? {} : { tls: produce.tls }),
    ...(produce.sasl === undefined ? {} : { sasl: produce.sasl }),
  })
  const signal = produce.signal ?? new AbortController().signal
  const byTopic: Record<string, number> = Object.fromEntries(topics.map((t) => [t, 0]))
  let sent = 0
  const wallStart = performance.now()
  // The wall-clock time at which simulated second 0 begins: its event time unless one was given.
  const originMs = produce.options?.startMs === undefined ? startMs : Math.floor(Date.now() / 1000) * 1000
  const elapsed = (): number => Math.round(performance.now() - wallStart)

  const admin: KafkaAdmin = kafka.admin()
  try {
    await admin.createTopics(topics.map((name): TopicSpec => ({
      name, partitions, configs: COMPACTED_TOPICS.has(name) ? { 'cleanup.policy': 'compact' } : {},
    })))
  } catch (cause) {
    // Refused credentials or certificates: the broker is there, and the error says what to check.
    if (cause instanceof KafkaAuthenticationError) throw cause
    const reason = cause instanceof Error ? cause.message.replace(/\.$/, '') : String(cause)
    throw new KafkaError(`Cannot create the city's topics on ${servers.join(',')} (is a broker running there?): ${reason}.`, { cause })
  } finally {
    await admin.close().catch(() => undefined)
  }

  const producer: KafkaProducer = kafka.producer()
  let aborted = false
  try {
    let batch: OutgoingRecord[] = []
    let batchSecond = -1
    let doneSeconds = 0
    // One produce request in flight while the next batch is simulated and encoded; one at a time
    // keeps the records in delivery order.
    let inFlight: Promise<void> = Promise.resolve()
    const report = (): void => produce.onProgress?.({ simulatedSeconds: doneSeconds, durationS, sent, byTopic: { ...byTopic }, elapsedMs: elapsed() })

    const send = async (): Promise<void> => {
      const sending = batch
      batch = []
      await inFlight
      if (sending.length === 0 || signal.aborted) return
      if (rate !== undefined) await sleepFor(wallStart + ((sent + sending.length) / rate) * 1000 - performance.now(), signal)
      if (signal.aborted) return
      inFlight = producer.send(sending).then(() => {
        for (const record of sending) byTopic[record.topic] = (byTopic[record.topic] ?? 0) + 1
        sent += sending.length
      })
      // Awaited later; until then a failure must not count as unhandled.
      inFlight.catch(() => undefined)
    }
    const batchLimit = rate === undefined ? MAX_BATCH : Math.max(1, Math.min(MAX_BATCH, Math.floor(rate / 10)))

    for (let next = first; !next.done; next = records.next()) {
      const record = next.value
      // A record belongs to the newest second delivered so far: a late ping travels with newer ones.
      const second = Math.max(batchSecond, Math.floor((record.timestamp - startMs) / 1000))
      if (second > batchSecond) {
        if (realTime) {
          await send()
          await inFlight
          if (batchSecond >= 0) {
            doneSeconds = batchSecond + 1
            report()
          }
          // Second n is sent once it is over on the wall clock, so that no record is from the future.
          await sleepFor(originMs + (second + 1) * 1000 - Date.now(), signal)
        }
        batchSecond = second
      }
      if (signal.aborted) break
      const encoded = encode(record, serdes)
      batch.push(isPromiseLike(encoded) ? await encoded : encoded)
      if (batch.length >= batchLimit) {
        await send()
        if (!realTime) {
          doneSeconds = Math.max(0, batchSecond)
          report()
        }
      }
      if (signal.aborted) break
    }
    aborted = signal.aborted
    await send()
    await inFlight
    if (!aborted) doneSeconds = durationS
    report()
    await producer.flush()
  } finally {
    await producer.close().catch(() => undefined)
  }
  return { byTopic, total: sent, startMs, elapsedMs: elapsed(), aborted }
}

/** Waits `ms` milliseconds, or until the signal aborts; never rejects. */
async function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return
  await sleep(ms, undefined, { signal }).catch(() => undefined)
}

/** Encodes a record; a promise only when a serde needs I/O (a schema registry's first use of a subject). */
function encode(record: CityRecord, serdes: ReadonlyMap<string, CitySerdes>): OutgoingRecord | Promise<OutgoingRecord> {
  const { keySerde, valueSerde } = serdes.get(record.topic)!
  const key = record.key === null ? null : keySerde.serialize(record.key, { topic: record.topic, isKey: true })
  const value = record.value === null ? null : valueSerde.serialize(record.value, { topic: record.topic, isKey: false })
  if (isPromiseLike(key) || isPromiseLike(value)) {
    return Promise.all([key, value]).then(([k, v]) => ({ topic: record.topic, key: k, value: v, timestamp: record.timestamp }))
  }
  return { topic: record.topic, key, value, timestamp: record.timestamp }
}
