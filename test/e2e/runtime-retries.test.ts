import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KafkaError } from '../../src/core/errors.js'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { KafkaClients, KafkaConsumer, KafkaProducer, KafkaTransactionalProducer } from '../../src/kafka/index.js'
import { KafkaStreams, type KafkaStreamsConfig, type KafkaStreamsState } from '../../src/runtime/index.js'
import { Serdes } from '../../src/serde/index.js'
import { buf, readAll, startKafka, str, waitFor, type KafkaFixture } from '../kafka/fixtures.js'

const APP = 'shop-retries'
const PARTITIONS = 3
const NAMES = ['ann', 'bob', 'cyd', 'dee', 'eve']

/** How many of the next calls fail with a retriable KafkaError; `pollForever` makes every poll fail. */
interface Faults {
  poll: number
  send: number
  commit: number
  pollForever: boolean
  injected: number
}

const transient = (faults: Faults, what: string) => {
  faults.injected++
  return new KafkaError(`${what} failed: the broker is restarting (simulated).`, { canRetry: true })
}

/** The real clients, with failures injected into the consumer's poll, the producer's send and the transaction's commit. */
function flakyClients(clients: KafkaClients, faults: Faults): KafkaClients {
  return {
    ...clients,
    consumer: (options) => {
      const real = clients.consumer(options)
      const consumer: KafkaConsumer = {
        subscribe: (topics, listener) => real.subscribe(topics, listener),
        poll: async (maxRecords, timeoutMs) => {
          if (faults.pollForever) throw transient(faults, 'Polling')
          if (faults.poll > 0) {
            faults.poll--
            throw transient(faults, 'Polling')
          }
          return real.poll(maxRecords, timeoutMs)
        },
        assignment: () => real.assignment(),
        bufferedRecords: () => real.bufferedRecords(),
        pause: (partitions) => real.pause(partitions),
        resume: (partitions) => real.resume(partitions),
        position: (partition) => real.position(partition),
        seek: (partition, offset) => real.seek(partition, offset),
        commit: (offsets) => real.commit(offsets),
        committed: (partitions) => real.committed(partitions),
        groupMetadata: () => real.groupMetadata(),
        close: () => real.close(),
      }
      return consumer
    },
    producer: () => {
      const real = clients.producer()
      const producer: KafkaProducer = {
        send: async (records) => {
          if (faults.send > 0) {
            faults.send--
            throw transient(faults, 'Producing')
          }
          return real.send(records)
        },
        flush: () => real.flush(),
        close: () => real.close(),
      }
      return producer
    },
    transactionalProducer: (suffix) => {
      const real = clients.transactionalProducer(suffix)
      const producer: KafkaTransactionalProducer = {
        begin: () => real.begin(),
        send: (records) => real.send(records),
        sendOffsets: (group, offsets) => real.sendOffsets(group, offsets),
        commit: async () => {
          if (faults.commit > 0) {
            faults.commit--
            throw transient(faults, 'Committing the transaction')
          }
          return real.commit()
        },
        abort: () => real.abort(),
        close: () => real.close(),
      }
      return producer
    },
  }
}

function countTopology() {
  const b = new StreamsBuilder()
  b.stream<string, { amount: number }>('orders', { keySerde: Serdes.string(), valueSerde: Serdes.json<{ amount: number }>() })
    .groupByKey()
    .count({ storeName: 'order-counts' })
    .toStream()
    .to('order-counts-out', { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() })
  return b.build()
}

describe('KafkaStreams retrying transient Kafka failures', () => {
  let kafka: KafkaFixture
  let stateDir: string
  const apps: KafkaStreams[] = []
  let faults: Faults

  beforeEach(async () => {
    kafka = await startKafka(APP)
    stateDir = mkdtempSync(join(tmpdir(), 'tributary-retries-'))
    faults = { poll: 0, send: 0, commit: 0, pollForever: false, injected: 0 }
    await kafka.track(kafka.clients.admin()).createTopics(['orders', 'order-counts-out'].map((name) => ({ name, partitions: PARTITIONS })))
  })

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close().catch(() => undefined)
    await kafka.close()
    rmSync(stateDir, { recursive: true, force: true })
  })

  function start(config: Partial<KafkaStreamsConfig>) {
    const app = new KafkaStreams(
      countTopology(),
      { applicationId: APP, bootstrapServers: [kafka.broker.bootstrapServers], stateDir, commitIntervalMs: 100, retries: 2, retryDelayMs: 50, ...config },
      { clients: flakyClients(kafka.clients, faults) },
    )
    apps.push(app)
    const errors: unknown[] = []
    const states: KafkaStreamsState[] = []
    app.on('error', (error) => errors.push(error))
    app.on('stateChange', (next) => states.push(next))
    return { app, errors, states }
  }

  const expected = new Map<string, number>()
  let sent = 0
  async function addOrders(count: number) {
    const producer = kafka.track(kafka.clients.producer())
    const batch = []
    for (let i = 0; i < count; i++, sent++) {
      const customer = NAMES[sent % NAMES.length] as string
      expected.set(customer, (expected.get(customer) ?? 0) + 1)
      batch.push({ topic: 'orders', key: buf(customer), value: buf(JSON.stringify({ amount: sent })), timestamp: 1_000 + sent })
    }
    await producer.send(batch)
  }
  beforeEach(() => {
    expected.clear()
    sent = 0
  })

  /** Every count update per customer, as a reader at `isolationLevel` sees them. */
  async function countUpdates(isolationLevel: 'read_committed' | 'read_uncommitted') {
    const reader = kafka.track(kafka.clients.reader({ isolationLevel }))
    const updates = new Map<string, number[]>()
    for (let p = 0; p < PARTITIONS; p++) {
      for (const r of await readAll(reader, 'order-counts-out', p)) {
        const key = str(r.key) ?? ''
        updates.set(key, [...(updates.get(key) ?? []), JSON.parse(str(r.value) ?? '0') as number])
      }
    }
    return updates
  }

  it('at_least_once: rides out failing polls and sends, and loses nothing', async () => {
    const { app, errors } = start({})
    await app.start()
    await addOrders(50)
    faults.poll = 3
    faults.send = 2
    await addOrders(50)
    await waitFor('every count reflected', async () => {
      const updates = await countUpdates('read_uncommitted')
      return [...expected].every(([k, n]) => updates.get(k)?.includes(n) === true)
    }, 20_000)
    expect(faults.injected).toBe(5)
    expect(errors).toEqual([])
    expect(app.state()).toBe('RUNNING')
    for (const [customer, values] of await countUpdates('read_uncommitted')) {
      for (let n = 1; n <= (expected.get(customer) ?? 0); n++) expect(values, `${customer} ${n}`).toContain(n)
      // The failed commits' stores were rebuilt from the changelogs, so nothing was counted twice.
      expect(values.at(-1), customer).toBe(expected.get(customer))
    }
  }, 30_000)

  it('exactly_once_v2: retries failed transaction commits and still shows every count once', async () => {
    const { app, errors } = start({ processingGuarantee: 'exactly_once_v2' })
    await app.start()
    await addOrders(40)
    await waitFor('a first committed count', async () => (await countUpdates('read_committed')).size > 0)
    faults.commit = 2
    await addOrders(40)
    await waitFor('every count committed', async () => {
      const updates = await countUpdates('read_committed')
      return [...expected].every(([k, n]) => updates.get(k)?.at(-1) === n)
    }, 20_000)
    expect(faults.injected).toBe(2)
    expect(errors).toEqual([])
    // The aborted transactions left nothing visible: each customer's counts are 1, 2, ..., n once.
    for (const [customer, values] of await countUpdates('read_committed')) {
      expect(values, customer).toEqual(Array.from({ length: expected.get(customer) ?? 0 }, (_, i) => i + 1))
    }
  }, 30_000)

  it('goes to ERROR once the failures have lasted taskTimeoutMs', async () => {
    const { app, errors, states } = start({ taskTimeoutMs: 300 })
    await app.start()
    faults.pollForever = true
    await waitFor('the ERROR state', () => app.state() === 'ERROR', 10_000)
    // Retried with backoff before giving up, then reported once.
    expect(faults.injected).toBeGreaterThan(1)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(KafkaError)
    expect((errors[0] as KafkaError).message).toMatch(/Polling failed/)
    expect(states.at(-1)).toBe('ERROR')
  }, 30_000)
})
