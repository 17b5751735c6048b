import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StreamsBuilder, Suppressed, TimeWindows } from '../../src/dsl/index.js'
import { DEFAULT_IDLE_TIMEOUT_MS } from '../../src/engine/index.js'
import { KafkaStreams, type ProcessingGuarantee } from '../../src/runtime/index.js'
import { Serdes } from '../../src/serde/index.js'
import { ConfigError } from '../../src/core/errors.js'
import { prometheusMetrics } from '../../src/http/index.js'
import type { Topology } from '../../src/topology/topology.js'
import { buf, readText, startStreams, waitFor, type StreamsFixture } from './fixtures.js'

const APP = 'zone-minutes'
const MINUTE = 60_000
const ZONES = 8
const MINUTES = 20
/** A recent minute: records older than the topics' retention (7 days) would be deleted by the broker. */
const START = (Math.floor(Date.now() / MINUTE) - 2 * MINUTES) * MINUTE

/** Pings re-keyed by zone, counted per zone and tumbling minute (grace 2 s), each minute once it closes. */
function zoneMinuteCounts(): Topology {
  const s = Serdes.string()
  const b = new StreamsBuilder()
  b.stream<string, string>('pings', { keySerde: s, valueSerde: s })
    .groupBy((_driver, zone) => zone, { keySerde: s, valueSerde: s, name: 'pings-by-zone' })
    .windowedBy(TimeWindows.ofSizeAndGrace(MINUTE, 2_000))
    .count()
    .suppress(Suppressed.untilWindowCloses())
    .toStream()
    .map<string, number>((window, count) => [`${window.key}@${(window.window.start - START) / MINUTE}`, count])
    .to('zone-minute-counts', { keySerde: s, valueSerde: Serdes.json<number>() })
  return b.build()
}

interface Ping {
  readonly partition: number
  readonly driver: string
  readonly zone: string
  readonly timestamp: number
}

/**
 * 13,200 pings over 20 minutes in 3 partitions: partition 0 dense (12,000, one every 100 ms),
 * partitions 1 and 2 sparse (600 each, one every 2 s). Every zone has pings in every minute.
 */
function pings(): Ping[] {
  const all: Ping[] = []
  const spread = (partition: number, count: number) => {
    const step = (MINUTES * MINUTE) / count
    for (let i = 0; i < count; i++) all.push({ partition, driver: `driver-${partition}-${i % 50}`, zone: `zone-${(i * 7 + partition) % ZONES}`, timestamp: START + Math.floor(i * step) })
  }
  spread(0, 12_000)
  spread(1, 600)
  spread(2, 600)
  return all
}

/** The counts a plain recomputation gives: zone and minute -> pings. */
function recomputed(input: readonly Ping[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const p of input) {
    const key = `${p.zone}@${Math.floor((p.timestamp - START) / MINUTE)}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return counts
}

describe.each<ProcessingGuarantee>(['at_least_once', 'exactly_once_v2'])("upstream watermarks: exact windows behind a repartition whatever the partitions' speeds (%s)", (processingGuarantee) => {
  let env: StreamsFixture
  beforeEach(async () => {
    env = await startStreams(APP)
  })
  afterEach(() => env.close())

  /** Everything as a user gets it by default but the watermarks. */
  const newInstance = (stateDir: string) =>
    env.track(new KafkaStreams(zoneMinuteCounts(), { applicationId: APP, bootstrapServers: [env.kafka.broker.bootstrapServers], stateDir, processingGuarantee, watermarks: 'upstream' }))

  it.each([1, 2])(
    'all 160 zone-minutes with the recomputed counts, each once, with %i instance(s); the last within seconds of the input going idle',
    async (instances) => {
      const { kafka } = env
      await kafka.track(kafka.clients.admin()).createTopics([
        { name: 'pings', partitions: 3 },
        { name: 'zone-minute-counts', partitions: 1 },
      ])
      const input = pings()
      const producer = kafka.track(kafka.clients.producer())
      for (let i = 0; i < input.length; i += 1_000) {
        await producer.send(input.slice(i, i + 1_000).map((p) => ({ topic: 'pings', partition: p.partition, key: buf(p.driver), value: buf(p.zone), timestamp: p.timestamp })))
      }
      const expected = recomputed(input)
      expect(expected.size).toBe(ZONES * MINUTES)

      const apps = Array.from({ length: instances }, (_, i) => newInstance(i === 0 ? env.stateDir : env.newStateDir()))
      const started = Date.now()
      await Promise.all(apps.map((app) => app.start()))
      const isolation = processingGuarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted'
      const reader = env.reader(isolation)
      const outputs = () => readText(reader, 'zone-minute-counts', 1)
      // The last minute closes once the inputs are idle: idleTimeoutMs (default 30 s) after the
      // last ping is processed, then 2 s of grace past the last ping, at the pace of the wall clock.
      await waitFor('all 160 zone-minutes', async () => (await outputs()).length >= expected.size, DEFAULT_IDLE_TIMEOUT_MS + 60_000)
      const tookMs = Date.now() - started
      const out = await outputs()
      expect(out.length).toBe(expected.size)
      expect(new Map(out.map((r) => [r.key, Number(r.value)]))).toEqual(expected)
      for (const app of apps) expect((await app.metrics()).dropped.late).toBe(0)
      // Every task keeps an event time; by now all inputs are idle and it follows the wall clock.
      const eventTimes = (await Promise.all(apps.map(async (app) => (await app.metrics()).eventTime))).flat()
      expect(eventTimes.map((t) => t.taskId).sort()).toEqual(['0_0', '0_1', '0_2', '1_0', '1_1', '1_2'])
      const lastPing = Math.max(...input.map((p) => p.timestamp))
      for (const t of eventTimes) {
        expect(t.allInputsIdle, t.taskId).toBe(true)
        expect(t.eventTimeMs, t.taskId).toBeGreaterThan(lastPing)
        if (t.taskId.startsWith('0_')) expect(t.markersWritten, t.taskId).toBeGreaterThan(0)
        else expect(t.markersRead, t.taskId).toBeGreaterThan(0)
      }
      const scraped = await prometheusMetrics(apps[0]!).render()
      expect(scraped).toMatch(/^tributary_event_time_idle\{[^}]*task="\d_\d"[^}]*\} 1$/m)
      console.log(`${instances} instance(s), ${processingGuarantee}: 160 zone-minutes ${tookMs} ms after start (idle timeout ${DEFAULT_IDLE_TIMEOUT_MS} ms)`)
      expect(tookMs).toBeLessThan(DEFAULT_IDLE_TIMEOUT_MS + 30_000)
    },
    150_000,
  )
})

describe('a group with mixed watermarks settings', () => {
  let env: StreamsFixture
  beforeEach(async () => {
    env = await startStreams(`${APP}-mixed`)
  })
  afterEach(() => env.close())

  it("refuses an instance whose setting differs from the group's: it fails with a ConfigError saying what to set, the group runs on", async () => {
    const { kafka } = env
    await kafka.track(kafka.clients.admin()).createTopics([
      { name: 'pings', partitions: 3 },
      { name: 'zone-minute-counts', partitions: 1 },
    ])
    const instance = (stateDir: string, watermarks: 'off' | 'upstream') =>
      env.track(new KafkaStreams(zoneMinuteCounts(), { applicationId: `${APP}-mixed`, bootstrapServers: [kafka.broker.bootstrapServers], stateDir, watermarks }))
    const group = instance(env.stateDir, 'upstream')
    await group.start()
    const odd = instance(env.newStateDir(), 'off')
    const errors: unknown[] = []
    odd.on('error', (error) => errors.push(error))
    await odd.start().catch((error: unknown) => errors.push(error))
    await waitFor('the refused instance to fail', () => odd.state() === 'ERROR', 60_000)
    expect(errors[0]).toBeInstanceOf(ConfigError)
    expect(String(errors[0])).toMatch(/run with watermarks 'upstream', this one with 'off'.*Set watermarks: 'upstream' here/)
    // The group's own instance keeps every task.
    await waitFor('the group to settle', () => group.state() === 'RUNNING', 60_000)
    expect((await group.metrics()).activeTasks).toBe(6)
  }, 150_000)
})
