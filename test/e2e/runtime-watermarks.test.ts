import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_IDLE_TIMEOUT_MS } from '../../src/engine/index.js'
import { KafkaStreams, type ProcessingGuarantee } from '../../src/runtime/index.js'
import { ConfigError } from '../../src/core/errors.js'
import { prometheusMetrics } from '../../src/http/index.js'
import { readText, startStreams, waitFor, type StreamsFixture } from './fixtures.js'
import { MINUTES, pings, recomputed, ZONES, zoneMinuteCounts, zoneMinuteTopics } from './zone-minutes.js'

const APP = 'zone-minutes'

// One instance under at-least-once, two under exactly-once (markers then go in the transactions).
describe.each<[ProcessingGuarantee, number]>([
  ['at_least_once', 1],
  ['exactly_once_v2', 2],
])("upstream watermarks: exact windows behind a repartition whatever the partitions' speeds (%s, %i instance(s))", (processingGuarantee, instances) => {
  let env: StreamsFixture
  beforeEach(async () => {
    env = await startStreams(APP)
  })
  afterEach(() => env.close())

  /** Everything as a user gets it by default but the watermarks. */
  const newInstance = (stateDir: string) =>
    env.track(new KafkaStreams(zoneMinuteCounts(), { applicationId: APP, bootstrapServers: [env.kafka.broker.bootstrapServers], stateDir, processingGuarantee, watermarks: 'upstream' }))

  it(
    'all 160 zone-minutes with the recomputed counts, each once; the last within seconds of the input going idle',
    async () => {
      const produce = await zoneMinuteTopics(env.kafka)
      const input = pings()
      await produce(input)
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
        // An upstream task that moved to the other instance once its partition was all processed
        // has read nothing since, so it has no event time of its own (it says it is idle, which is
        // all its readers need); the others follow the wall clock past the last ping.
        if (t.eventTimeMs !== null || t.taskId.startsWith('1_')) expect(t.eventTimeMs, t.taskId).toBeGreaterThan(lastPing)
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
