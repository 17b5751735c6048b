import { performance } from 'node:perf_hooks'
import type { KafkaClients, KafkaConsumer, KafkaProducer, OutgoingRecord, RawHeader, RawRecord, TopicPartition } from '../../src/kafka/index.js'
import type { LatestPerKey } from './latest-per-key.js'
import type { InputRecord } from './scenarios/scenario.js'

/** Header carrying the wall-clock time (ms, float64) an input record was handed to the producer. */
export const PRODUCED_AT_HEADER = 'bench-produced-at'

const now = (): number => performance.timeOrigin + performance.now()

function outgoing(record: InputRecord, producedAt: number): OutgoingRecord {
  const stamp = Buffer.allocUnsafe(8)
  stamp.writeDoubleBE(producedAt)
  const headers: RawHeader[] = [[PRODUCED_AT_HEADER, stamp]]
  return { topic: record.topic, key: record.key, value: record.value, timestamp: record.timestamp, headers }
}

/**
 * Produces every record as fast as the producer takes them, one batch at a time: the idempotent
 * producer's sequence numbers must reach each partition in order, which concurrent sends break.
 */
export async function produceAll(producer: KafkaProducer, records: readonly InputRecord[], batchSize = 2_000): Promise<void> {
  for (let from = 0; from < records.length; from += batchSize) {
    const at = now()
    await producer.send(records.slice(from, from + batchSize).map((r) => outgoing(r, at)))
  }
}

/** Produces at a steady `perSecond` rate in small batches every 10 ms, for latency below saturation. */
export async function producePaced(producer: KafkaProducer, records: readonly InputRecord[], perSecond: number): Promise<void> {
  const started = now()
  let sent = 0
  while (sent < records.length) {
    // A slow send is caught up by the next batch, so the rate holds on average.
    const due = Math.min(records.length, Math.floor(((now() - started) / 1000) * perSecond) + 1)
    if (due > sent) {
      const at = now()
      await producer.send(records.slice(sent, due).map((r) => outgoing(r, at)))
      sent = due
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/**
 * Reads the result topics as a downstream consumer would (read_committed, so results of an open
 * transaction are not counted) and records, for each result, the time it became readable minus
 * the produce time of the input that caused it (its header, which Tributary carries over).
 */
export class ResultReader {
  #count = 0
  #lastArrival = 0
  #latencySince = Number.POSITIVE_INFINITY
  readonly latencies: number[] = []
  #stopped = false
  #loop: Promise<void> | undefined
  #failure: unknown

  constructor(
    private readonly consumer: KafkaConsumer,
    /** Given for `latest-per-key` variants: keeps the latest value of every result key. */
    readonly latest?: LatestPerKey,
  ) {}

  async start(topics: readonly string[]): Promise<void> {
    await this.consumer.subscribe(topics, { onAssigned: () => undefined, onRevoked: () => undefined })
    this.#loop = this.#run()
  }

  get count(): number {
    return this.#count
  }

  /** Wall-clock time (ms) the last result arrived. */
  get lastArrival(): number {
    return this.#lastArrival
  }

  /** Records latencies of results whose input was produced from now on. */
  measureLatencyFromNow(): void {
    this.#latencySince = now()
  }

  async #run(): Promise<void> {
    try {
      while (!this.#stopped) this.#take(await this.consumer.poll(2_000, 50))
    } catch (error) {
      this.#failure = error
    }
  }

  #take(records: readonly RawRecord[]): void {
    if (records.length === 0) return
    const arrival = now()
    this.#count += records.length
    this.#lastArrival = arrival
    for (const record of records) {
      this.latest?.observe(record.key, record.value)
      const header = record.headers.find(([name]) => name === PRODUCED_AT_HEADER)?.[1]
      if (header === null || header === undefined || header.length !== 8) continue
      const producedAt = header.readDoubleBE(0)
      if (producedAt >= this.#latencySince) this.latencies.push(arrival - producedAt)
    }
  }

  /** Resolves once no result arrived for `quietMs`: the results of what was committed are in. */
  async settle(quietMs = 300): Promise<void> {
    let lastCount = -1
    while (this.#count !== lastCount) {
      if (this.#failure !== undefined) throw this.#failure
      lastCount = this.#count
      await new Promise((resolve) => setTimeout(resolve, quietMs))
    }
  }

  async close(): Promise<void> {
    this.#stopped = true
    await this.#loop
    await this.consumer.close()
  }
}

/** What a run reports of its results: records, or for `latest-per-key` variants the final results. */
export function countedResults(reader: ResultReader): { outputs: number; resultTotal?: number } {
  return reader.latest === undefined ? { outputs: reader.count } : { outputs: reader.latest.size, resultTotal: reader.latest.total }
}

/**
 * Resolves once the consumer group `groups` (a KafkaClients whose applicationId is the group)
 * has committed, on every partition of `topics`, the end offset: every input was processed and,
 * before the commit, its results were acknowledged (at-least-once) or committed in the same
 * transaction (exactly-once). Asks the group coordinator; joins no group.
 */
export async function waitForCommitted(
  admin: KafkaClients,
  groups: KafkaClients,
  topics: readonly string[],
  /** Throws when the processor failed, so a run stops at once instead of waiting for the timeout. */
  checkHealthy: () => void,
  timeoutMs = 600_000,
): Promise<void> {
  const client = admin.admin()
  const ends = new Map<string, bigint>()
  const partitions: TopicPartition[] = []
  try {
    const counts = await client.describeTopics(topics)
    for (const [topic, count] of counts) {
      const ids = Array.from({ length: count }, (_, i) => i)
      for (const [partition, end] of await client.listOffsets(topic, ids, 'latest')) {
        ends.set(`${topic}:${partition}`, end)
        partitions.push({ topic, partition })
      }
    }
  } finally {
    await client.close()
  }
  const probe = groups.consumer({ isolationLevel: 'read_uncommitted' })
  const deadline = Date.now() + timeoutMs
  try {
    for (;;) {
      checkHealthy()
      const committed = new Map((await probe.committed(partitions)).map((c) => [`${c.topic}:${c.partition}`, c.offset]))
      if ([...ends].every(([key, end]) => end === 0n || (committed.get(key) ?? -1n) >= end)) return
      if (Date.now() > deadline) throw new Error(`The group did not commit the end of ${topics.join(', ')} within ${timeoutMs} ms.`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  } finally {
    await probe.close()
  }
}

export { now as wallClockMs }
