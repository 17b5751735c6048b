/**
 * What the end-to-end tests share: a broker with client factories (from ../kafka/fixtures),
 * temporary state directories, KafkaStreams apps closed after the test, readers of whole output
 * topics, and the order-counting topologies several runtime tests run.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { KStream } from '../../src/dsl/index.js'
import type { IsolationLevel, KafkaProducer, KafkaReader, RawRecord } from '../../src/kafka/index.js'
import { InvalidStateStoreError, KafkaStreams, type KafkaStreamsConfig, type KafkaStreamsOptions } from '../../src/runtime/index.js'
import { Serdes } from '../../src/serde/index.js'
import type { Topology } from '../../src/topology/topology.js'
import { buf, readAll, startKafka, str, type KafkaFixture } from '../kafka/fixtures.js'

export { buf, readAll, str, testBrokerKind, waitFor, type KafkaFixture } from '../kafka/fixtures.js'

/** Every record of partitions `0 .. partitions - 1` of `topic`, partition by partition. */
export async function readPartitions(reader: KafkaReader, topic: string, partitions: number): Promise<RawRecord[]> {
  const records: RawRecord[] = []
  for (let p = 0; p < partitions; p++) records.push(...(await readAll(reader, topic, p)))
  return records
}

/** The same records as text (`''` for null), for topics written with string or JSON serdes. */
export async function readText(reader: KafkaReader, topic: string, partitions: number): Promise<{ key: string; value: string }[]> {
  return (await readPartitions(reader, topic, partitions)).map((r) => ({ key: str(r.key) ?? '', value: str(r.value) ?? '' }))
}

/** Per key, every value (a JSON number, such as a count) in the order read. */
export function numbersByKey(records: readonly { key: string; value: string }[]): Map<string, number[]> {
  const byKey = new Map<string, number[]>()
  for (const r of records) byKey.set(r.key, [...(byKey.get(r.key) ?? []), JSON.parse(r.value) as number])
  return byKey
}

/** Temporary directories, removed together. */
export class TempDirs {
  private readonly dirs: string[] = []

  constructor(private readonly prefix: string) {}

  make(): string {
    const dir = mkdtempSync(join(tmpdir(), this.prefix))
    this.dirs.push(dir)
    return dir
  }

  removeAll(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  }
}

/** The broker, state directories and apps of one test. */
export interface StreamsFixture {
  readonly kafka: KafkaFixture
  /** The state directory of apps given none. */
  readonly stateDir: string
  /** Another state directory (for another instance), removed by `close()`. */
  newStateDir(): string
  /**
   * A KafkaStreams on the fixture's broker, closed by `close()`. It commits every 100 ms and gives
   * up on the broker after two quick retries, so a test does not wait for production defaults.
   */
  newApp(topology: Topology, config?: Partial<KafkaStreamsConfig>, options?: KafkaStreamsOptions): KafkaStreams
  /** Registers something to close before the broker (an app made otherwise, a schema registry); the last one first. */
  track<T extends { close(): Promise<unknown> }>(resource: T): T
  /** A reader, closed with the broker's clients. */
  reader(isolationLevel?: IsolationLevel): KafkaReader
  /** Closes the apps (and whatever else was tracked), then the clients and the broker, then removes the directories. */
  close(): Promise<void>
}

export async function startStreams(applicationId: string): Promise<StreamsFixture> {
  const kafka = await startKafka(applicationId)
  const dirs = new TempDirs(`tributary-${applicationId}-`)
  const stateDir = dirs.make()
  const tracked: { close(): Promise<unknown> }[] = []
  const track = <T extends { close(): Promise<unknown> }>(resource: T): T => {
    tracked.push(resource)
    return resource
  }
  return {
    kafka,
    stateDir,
    newStateDir: () => dirs.make(),
    newApp: (topology, config = {}, options = {}) => {
      const bootstrapServers = [kafka.broker.bootstrapServers]
      return track(new KafkaStreams(topology, { applicationId, bootstrapServers, stateDir, commitIntervalMs: 100, retries: 2, retryDelayMs: 50, ...config }, options))
    },
    track,
    reader: (isolationLevel = 'read_uncommitted') => kafka.track(kafka.clients.reader({ isolationLevel })),
    async close() {
      for (const resource of tracked.splice(0).reverse()) await resource.close().catch(() => undefined)
      await kafka.close()
      dirs.removeAll()
    },
  }
}

/** Creates the input and output topics of a bundled topology (as `bundled.build()` lists them). */
export async function createTopicsOf(
  kafka: KafkaFixture,
  built: { readonly inputs: readonly string[]; readonly outputs: readonly { readonly topic: string }[] },
  partitions: { readonly inputs: number; readonly outputs: number },
): Promise<void> {
  await kafka.track(kafka.clients.admin()).createTopics([
    ...built.inputs.map((name) => ({ name, partitions: partitions.inputs })),
    ...built.outputs.map((o) => ({ name: o.topic, partitions: partitions.outputs })),
  ])
}

/** Orders counted per customer into `order-counts` (a store) and `order-counts-out` (a topic). */
function countOrders(orders: KStream<string, { amount: number }>): void {
  orders.groupByKey().count({ storeName: 'order-counts' }).toStream().to('order-counts-out', { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() })
}

/** The orders of topic `orders` (customer keys, `{ amount }` values) counted per customer. */
export function orderCountsTopology(): Topology {
  const b = new StreamsBuilder()
  countOrders(b.stream<string, { amount: number }>('orders', { keySerde: Serdes.string(), valueSerde: Serdes.json<{ amount: number }>() }))
  return b.build()
}

/** The topics the shop topology reads and writes. */
export const SHOP_TOPICS = ['orders', 'customers', 'order-counts-out', 'parity-counts-out', 'enriched']

/**
 * Orders counted per customer, counted by the parity of their amount (through a repartition
 * topic), and joined with the customer's name. `check`, when given, sees every order first and
 * may throw (a failing processor).
 */
export function shopTopology(check?: (order: { amount: number }) => void): Topology {
  const b = new StreamsBuilder()
  const customers = b.table<string, { name: string }>('customers', { keySerde: Serdes.string(), valueSerde: Serdes.json<{ name: string }>(), storeName: 'customers' })
  const source = b.stream<string, { amount: number }>('orders', { keySerde: Serdes.string(), valueSerde: Serdes.json<{ amount: number }>() })
  const orders = check === undefined ? source : source.mapValues((order) => {
    check(order)
    return order
  })
  countOrders(orders)
  orders
    .groupBy((_customer, order) => (order.amount % 2 === 0 ? 'even' : 'odd'), { keySerde: Serdes.string() })
    .count({ storeName: 'parity-counts' })
    .toStream()
    .to('parity-counts-out', { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() })
  orders.join(customers, (order, customer) => `${customer.name}:${order.amount}`).to('enriched', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
  return b.build()
}

/**
 * Sends orders of `customers` in turn (`{ amount: n }` at timestamp 1000 + n for the n-th order)
 * and keeps the count per customer they should give.
 */
export function orderFeed(producer: KafkaProducer, customers: readonly string[]) {
  const expected = new Map<string, number>()
  let sent = 0
  return {
    expected,
    async add(count: number): Promise<void> {
      const batch = []
      for (let i = 0; i < count; i++, sent++) {
        const customer = customers[sent % customers.length] as string
        expected.set(customer, (expected.get(customer) ?? 0) + 1)
        batch.push({ topic: 'orders', key: buf(customer), value: buf(JSON.stringify({ amount: sent })), timestamp: 1_000 + sent })
      }
      await producer.send(batch)
    },
  }
}

/**
 * An interactive query that answers undefined while the store cannot be read yet (its task is
 * restoring or moving: an InvalidStateStoreError that may be retried), for use inside `waitFor`.
 */
export async function queryWhenReady<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read()
  } catch (error) {
    if (error instanceof InvalidStateStoreError && error.canRetry) return undefined
    throw error
  }
}
