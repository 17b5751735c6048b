import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { JoinWindows, StreamsBuilder } from '../../src/dsl/index.js'
import { KafkaStreams } from '../../src/runtime/index.js'
import { Serdes } from '../../src/serde/index.js'
import type { Topology } from '../../src/topology/topology.js'
import { buf, readPartitions, startStreams, waitFor, type StreamsFixture } from './fixtures.js'

const APP = 'backlog-join'
const s = Serdes.string()
const PER_TOPIC = 6_000
const KEYS = 300
const STEP_MS = 100 // 6,000 records 100 ms apart: 10 minutes of event time per topic
const WITHIN_MS = 60_000

/** Each left event joins every right event of its key at most a minute apart. */
function backlogJoin(): Topology {
  const b = new StreamsBuilder()
  const right = b.stream<string, string>('right-events', { keySerde: s, valueSerde: s })
  b.stream<string, string>('left-events', { keySerde: s, valueSerde: s })
    .join(right, (l, r) => `${l}|${r}`, JoinWindows.ofTimeDifferenceAndGrace(WITHIN_MS, 5_000))
    .to('pairs', { keySerde: s, valueSerde: s })
  return b.build()
}

/** A deterministic key sequence (a linear congruential generator), different per topic. */
function keys(seed: number): string[] {
  let x = seed
  return Array.from({ length: PER_TOPIC }, () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648
    return `k${x % KEYS}`
  })
}

describe('KafkaStreams task idling (KIP-695) with the default maxTaskIdleMs', () => {
  let env: StreamsFixture

  beforeEach(async () => {
    env = await startStreams(APP)
  })

  afterEach(() => env.close())

  it('joins a backlog completely: no input overtakes the other while the other has records on the broker', async () => {
    const { kafka } = env
    await kafka.track(kafka.clients.admin()).createTopics(['left-events', 'right-events', 'pairs'].map((name) => ({ name, partitions: 2 })))
    // Recent event times: the broker's time retention (7 days by default) would delete older records.
    const start = Date.now() - 3_600_000
    const left = keys(7).map((key, i) => ({ key, id: `L${i}`, timestamp: start + i * STEP_MS }))
    const right = keys(11).map((key, i) => ({ key, id: `R${i}`, timestamp: start + 37 + i * STEP_MS }))
    const producer = kafka.track(kafka.clients.producer())
    for (const [topic, events] of [['left-events', left], ['right-events', right]] as const) {
      for (let i = 0; i < events.length; i += 500) {
        await producer.send(events.slice(i, i + 500).map((e) => ({ topic, key: buf(e.key), value: buf(e.id), timestamp: e.timestamp })))
      }
    }
    // A plain recomputation: every left/right pair of a key at most a minute apart.
    const expected = new Set<string>()
    const rightByKey = new Map<string, typeof right>()
    for (const r of right) rightByKey.set(r.key, [...(rightByKey.get(r.key) ?? []), r])
    for (const l of left) for (const r of rightByKey.get(l.key) ?? []) if (Math.abs(l.timestamp - r.timestamp) <= WITHIN_MS) expected.add(`${l.id}|${r.id}`)
    expect(expected.size).toBeGreaterThan(10_000)

    // Defaults but for where to find the broker and keep state: maxTaskIdleMs is 0.
    const app = env.track(new KafkaStreams(backlogJoin(), { applicationId: APP, bootstrapServers: [kafka.broker.bootstrapServers], stateDir: env.stateDir }))
    await app.start()
    const reader = env.reader()
    const pairs = async () => (await readPartitions(reader, 'pairs', 2)).map((r) => (r.value as Buffer).toString())
    let seen: string[] = []
    await waitFor(`${expected.size} pairs`, async () => (seen = await pairs()).length >= expected.size, 60_000)
    expect(seen.length).toBe(expected.size)
    expect(new Set(seen)).toEqual(expected)
    const metrics = await app.metrics()
    expect(metrics.dropped.total).toBe(0)
  }, 90_000)
})
