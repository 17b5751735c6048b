import { EmbeddedKafka } from '../../src/broker/index.js'
import { createKafkaClients, type KafkaClients, type KafkaConnectionConfig, type KafkaConsumer, type KafkaReader, type RawRecord } from '../../src/kafka/index.js'
import { startRealKafka } from '../interop/kafka.js'

/**
 * Which broker the fixtures start: the embedded one (`npm test`), or, with
 * TRIBUTARY_TEST_BROKER=kafka (`npm run test:interop`), a real Apache Kafka broker, fresh for each
 * fixture as the embedded one is.
 */
export type TestBrokerKind = 'embedded' | 'kafka'

export function testBrokerKind(): TestBrokerKind {
  const kind = process.env['TRIBUTARY_TEST_BROKER'] ?? 'embedded'
  if (kind !== 'embedded' && kind !== 'kafka') throw new Error(`TRIBUTARY_TEST_BROKER is '${kind}': use 'embedded' or 'kafka'.`)
  return kind
}

/** A running broker of either kind. */
export interface TestBroker {
  readonly kind: TestBrokerKind
  /** `host:port` */
  readonly bootstrapServers: string
  close(): Promise<void>
}

export interface TestBrokerOptions {
  /** Partitions of a topic created without a count (default 3). */
  readonly partitions?: number
  /** How often the broker aborts transactions that outlived their timeout (each broker's default when absent). */
  readonly transactionTimeoutCheckIntervalMs?: number
}

/** A broker that creates no topic implicitly. */
export async function startTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const { partitions = 3, transactionTimeoutCheckIntervalMs } = options
  if (testBrokerKind() === 'kafka') {
    const kafka = await startRealKafka({ defaultPartitions: partitions, autoCreateTopics: false, transactionTimeoutCheckIntervalMs })
    return { kind: 'kafka', bootstrapServers: kafka.bootstrapServers, close: () => kafka.stop() }
  }
  const broker = await EmbeddedKafka.start({ defaultPartitions: partitions, autoCreateTopics: false, ...(transactionTimeoutCheckIntervalMs === undefined ? {} : { transactionTimeoutCheckIntervalMs }) })
  return { kind: 'embedded', bootstrapServers: broker.bootstrapServers, close: () => broker.close() }
}

/** A broker and client factories for one test; `close()` closes every client it made, then the broker. */
export interface KafkaFixture {
  readonly broker: TestBroker
  readonly clients: KafkaClients
  /** Registers `resource` to be closed (in reverse order) by `close()`. */
  track<T extends { close(): Promise<unknown> }>(resource: T): T
  close(): Promise<void>
}

export async function startKafka(
  applicationId = 'app',
  overrides: Partial<KafkaConnectionConfig> = {},
): Promise<KafkaFixture> {
  const broker = await startTestBroker()
  const clients = createKafkaClients({
    bootstrapServers: [broker.bootstrapServers],
    clientId: `${applicationId}-client`,
    applicationId,
    retries: 2,
    retryDelayMs: 50,
    ...overrides,
  })
  const resources: { close(): Promise<unknown> }[] = []
  return {
    broker,
    clients,
    track(resource) {
      resources.push(resource)
      return resource
    },
    async close() {
      for (const resource of resources.splice(0).reverse()) await resource.close().catch(() => undefined)
      await broker.close()
    },
  }
}

export const buf = (s: string): Buffer => Buffer.from(s, 'utf8')
export const str = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'))

/** Everything in `[0, end)` of the partition as a reader at `isolationLevel` sees it. */
export async function readAll(reader: KafkaReader, topic: string, partition: number): Promise<RawRecord[]> {
  const end = await reader.endOffset({ topic, partition })
  const records: RawRecord[] = []
  await reader.readRange({ topic, partition }, 0n, end, (batch) => {
    records.push(...batch)
  })
  return records
}

/**
 * Waits until no transaction is open on the partition: its last stable offset (what read_committed
 * readers see) has reached its high watermark. Apache Kafka writes a transaction's commit markers
 * after EndTxn has answered, so committed records become visible a little after `commit()`.
 */
export async function transactionsSettled(kafka: KafkaFixture, topic: string, partition: number): Promise<void> {
  const stable = kafka.track(kafka.clients.reader({ isolationLevel: 'read_committed' }))
  const written = kafka.track(kafka.clients.reader({ isolationLevel: 'read_uncommitted' }))
  await waitFor(`the transactions on ${topic}-${partition} to settle`, async () => {
    const end = await written.endOffset({ topic, partition })
    return (await stable.endOffset({ topic, partition })) === end
  })
}

/** Polls `condition` every 20 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Polls `consumer` (`maxRecords` at a time) into `into` until it holds `count` records. */
export async function pollUntil(consumer: KafkaConsumer, count: number, into: RawRecord[] = [], maxRecords = 100): Promise<RawRecord[]> {
  await waitFor(`${count} records`, async () => {
    into.push(...(await consumer.poll(maxRecords, 50)))
    return into.length >= count
  })
  return into
}
