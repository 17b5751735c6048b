/**
 * A join over a backlog, as a user catching up would run it: two topics of JSON records (100,000
 * each by default, 20,000 keys, 2 partitions, timestamps strictly increasing over 10 minutes within
 * each topic), all produced before the application starts; a stream-stream inner join within 60 s,
 * grace 5 s, at-least-once and every other setting at its default. Prints the pairs a plain
 * recomputation gives, the pairs emitted, missing and duplicated ones, records dropped and
 * throughput: with task idling (maxTaskIdleMs 0, the default) nothing is missing.
 *
 * Run: npm run bench:backlog [-- --records 100000 --keys 20000 --max-task-idle-ms 0]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { JoinWindows, KafkaStreams, Serdes, StreamsBuilder } from '../src/index.js'
import { createKafkaClients } from '../src/kafka/index.js'
import { startBrokerProcess } from './suite/broker-process.js'
import { randomFrom } from './suite/scenarios/ride-data.js'

interface Event {
  readonly id: number
  readonly key: string
  readonly ts: number
}

const WITHIN_MS = 60_000
const SPAN_MS = 10 * 60_000

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    keys: { type: 'string', default: '20000' },
    'max-task-idle-ms': { type: 'string', default: '0' },
    seed: { type: 'string', default: '42' },
  },
})
const perTopic = Number(values.records)
const keyCount = Number(values.keys)
const maxTaskIdleMs = Number(values['max-task-idle-ms'])

function events(seed: number, start: number): Event[] {
  const next = randomFrom(seed)
  return Array.from({ length: perTopic }, (_, id) => ({ id, key: `key-${Math.floor(next() * keyCount)}`, ts: start + Math.floor((id * SPAN_MS) / perTopic) }))
}

function expectedPairs(left: readonly Event[], right: readonly Event[]): Set<string> {
  const byKey = new Map<string, Event[]>()
  for (const r of right) {
    const list = byKey.get(r.key)
    if (list === undefined) byKey.set(r.key, [r])
    else list.push(r)
  }
  const pairs = new Set<string>()
  for (const l of left) for (const r of byKey.get(l.key) ?? []) if (Math.abs(l.ts - r.ts) <= WITHIN_MS) pairs.add(`${l.id}:${r.id}`)
  return pairs
}

const broker = await startBrokerProcess(2)
const stateDir = mkdtempSync(join(tmpdir(), 'tributary-backlog-'))
const clients = createKafkaClients({ bootstrapServers: [broker.bootstrapServers], clientId: 'backlog-bench', applicationId: 'backlog-bench-io' })
const admin = clients.admin()
const producer = clients.producer()
const reader = clients.reader({ isolationLevel: 'read_uncommitted' })
let app: KafkaStreams | undefined
try {
  await admin.createTopics(['left', 'right', 'pairs'].map((name) => ({ name, partitions: 2 })))
  // Recent times: the broker's 7-day time retention would delete older records.
  const start = Date.now() - 2 * SPAN_MS
  const left = events(Number(values.seed), start)
  const right = events(Number(values.seed) + 1, start + 7)
  for (const [topic, list] of [['left', left], ['right', right]] as const) {
    for (let i = 0; i < list.length; i += 1_000) {
      await producer.send(list.slice(i, i + 1_000).map((e) => ({ topic, key: Buffer.from(e.key), value: Buffer.from(JSON.stringify({ id: e.id })), timestamp: e.ts })))
    }
  }
  const expected = expectedPairs(left, right)
  console.log(`input: ${perTopic.toLocaleString('en-US')} records per topic, ${keyCount.toLocaleString('en-US')} keys; expected pairs: ${expected.size.toLocaleString('en-US')}`)

  const builder = new StreamsBuilder()
  const json = Serdes.json<{ id: number }>()
  const rightStream = builder.stream<string, { id: number }>('right', { keySerde: Serdes.string(), valueSerde: json })
  builder
    .stream<string, { id: number }>('left', { keySerde: Serdes.string(), valueSerde: json })
    .join(rightStream, (l, r) => `${l.id}:${r.id}`, JoinWindows.ofTimeDifferenceAndGrace(WITHIN_MS, 5_000))
    .to('pairs', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
  app = new KafkaStreams(builder.build(), { applicationId: 'backlog-bench', bootstrapServers: [broker.bootstrapServers], stateDir, maxTaskIdleMs })
  const started = performance.now()
  await app.start()
  // Done once every input record is processed and the output stopped growing.
  let emitted: string[] = []
  for (let quiet = 0, last = -1; quiet < 3; ) {
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const metrics = await app.metrics()
    emitted = []
    for (const partition of [0, 1]) {
      const end = await reader.endOffset({ topic: 'pairs', partition })
      await reader.readRange({ topic: 'pairs', partition }, 0n, end, (batch) => {
        for (const r of batch) emitted.push((r.value as Buffer).toString())
      })
    }
    const processedAll = metrics.records.processedTotal >= 2 * perTopic
    quiet = emitted.length === last && processedAll ? quiet + 1 : 0
    last = emitted.length
  }
  const seconds = (performance.now() - started) / 1000 - 3
  const metrics = await app.metrics()
  const distinct = new Set(emitted)
  const missing = [...expected].filter((p) => !distinct.has(p)).length
  const wrong = [...distinct].filter((p) => !expected.has(p)).length
  console.log(`maxTaskIdleMs ${maxTaskIdleMs}: emitted ${emitted.length.toLocaleString('en-US')} pairs; missing ${missing.toLocaleString('en-US')}, duplicated ${(emitted.length - distinct.size).toLocaleString('en-US')}, wrong ${wrong}`)
  console.log(`dropped records: ${metrics.dropped.total} (late ${metrics.dropped.late}); about ${Math.round((2 * perTopic) / seconds).toLocaleString('en-US')} input records/s`)
  process.exitCode = missing === 0 && wrong === 0 ? 0 : 1
} finally {
  await app?.close()
  await Promise.all([producer.close(), reader.close(), admin.close()])
  await broker.stop()
  rmSync(stateDir, { recursive: true, force: true })
}
