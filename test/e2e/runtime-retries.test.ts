import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KafkaError } from '../../src/core/errors.js'
import type { IsolationLevel, KafkaClients, KafkaConsumer, KafkaProducer, KafkaTransactionalProducer } from '../../src/kafka/index.js'
import type { KafkaStreamsConfig, KafkaStreamsState } from '../../src/runtime/index.js'
import { numbersByKey, orderCountsTopology, orderFeed, readText, startStreams, waitFor, type KafkaFixture, type StreamsFixture } from './fixtures.js'

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
        rejoinGroup: () => real.rejoinGroup(),
        assignment: () => real.assignment(),
        bufferedRecords: () => real.bufferedRecords(),
        pause: (partitions) => real.pause(partitions),
        resume: (partitions) => real.resume(partitions),
        position: (partition) => real.position(partition),
        currentLag: (partition) => real.currentLag(partition),
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
        init: () => real.init(),
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

describe('KafkaStreams retrying transient Kafka failures', () => {
  let env: StreamsFixture
  let kafka: KafkaFixture
  let faults: Faults
  let orders: ReturnType<typeof orderFeed>

  beforeEach(async () => {
    env = await startStreams(APP)
    kafka = env.kafka
    faults = { poll: 0, send: 0, commit: 0, pollForever: false, injected: 0 }
    await kafka.track(kafka.clients.admin()).createTopics(['orders', 'order-counts-out'].map((name) => ({ name, partitions: PARTITIONS })))
    orders = orderFeed(kafka.track(kafka.clients.producer()), NAMES)
  })

  afterEach(() => env.close())

  function start(config: Partial<KafkaStreamsConfig>) {
    const app = env.newApp(orderCountsTopology(), config, { clients: flakyClients(kafka.clients, faults) })
    const errors: unknown[] = []
    const states: KafkaStreamsState[] = []
    app.on('error', (error) => errors.push(error))
    app.on('stateChange', (next) => states.push(next))
    return { app, errors, states }
  }

  /** Every count update per customer, as a reader at `isolationLevel` sees them. */
  const countUpdates = async (isolationLevel: IsolationLevel) => numbersByKey(await readText(env.reader(isolationLevel), 'order-counts-out', PARTITIONS))

  it('at_least_once: rides out failing polls and sends, and loses nothing', async () => {
    const { app, errors } = start({})
    await app.start()
    await orders.add(50)
    faults.poll = 3
    faults.send = 2
    await orders.add(50)
    await waitFor('every count reflected', async () => {
      const updates = await countUpdates('read_uncommitted')
      return [...orders.expected].every(([k, n]) => updates.get(k)?.at(-1) === n)
    }, 20_000)
    expect(faults.injected).toBe(5)
    expect(errors).toEqual([])
    expect(app.state()).toBe('RUNNING')
    // The record cache writes each customer's latest count once per commit, so not every count
    // between shows; the last one is exact. The failed commits' stores were rebuilt from the
    // changelogs, so nothing was counted twice.
    for (const [customer, values] of await countUpdates('read_uncommitted')) {
      expect(values.at(-1), customer).toBe(orders.expected.get(customer))
    }
  }, 30_000)

  it('exactly_once_v2: retries failed transaction commits and still shows every count once', async () => {
    const { app, errors } = start({ processingGuarantee: 'exactly_once_v2' })
    await app.start()
    await orders.add(40)
    await waitFor('a first committed count', async () => (await countUpdates('read_committed')).size > 0)
    faults.commit = 2
    await orders.add(40)
    await waitFor('every count committed', async () => {
      const updates = await countUpdates('read_committed')
      return [...orders.expected].every(([k, n]) => updates.get(k)?.at(-1) === n)
    }, 20_000)
    expect(faults.injected).toBe(2)
    expect(errors).toEqual([])
    // The aborted transactions left nothing visible: each customer's counts rise (the record cache
    // writes the latest once per commit; none shows twice or goes back) and end at n.
    for (const [customer, values] of await countUpdates('read_committed')) {
      for (let i = 1; i < values.length; i++) expect(values[i]!, `${customer}: ${values.join(',')}`).toBeGreaterThan(values[i - 1]!)
      expect(values.at(-1), customer).toBe(orders.expected.get(customer))
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
