import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Headers } from '../core/record.js'
import type { Serde } from '../serde/serde.js'

export interface InputTopicOptions {
  /** Timestamp of records piped without one; default: the driver's wall clock at creation. */
  readonly startTimestampMs?: number
  /** Added to that timestamp after each record piped without one. Default 0. */
  readonly autoAdvanceMs?: number
}

export interface TestRecord<K, V> {
  readonly key: K | null
  readonly value: V | null
  readonly timestamp?: number
  readonly headers?: Headers
  /** The partition to write to; default: Kafka's default partitioner on the key bytes. */
  readonly partition?: number
}

type Pipe = (
  topic: string,
  key: Buffer | null,
  value: Buffer | null,
  timestamp: number,
  headers: Headers,
  flush: boolean,
  partition: number | undefined,
) => MaybePromise<void>

/** Feeds records into one topic of a `TopologyTestDriver`; each call resolves when they are fully processed. */
export class TestInputTopic<K, V> {
  private nextTimestamp: number
  private readonly autoAdvanceMs: number

  /** @internal Made by `driver.createInputTopic()`. */
  constructor(
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    options: InputTopicOptions,
    private readonly pipe: Pipe,
    wallClock: () => number,
  ) {
    this.nextTimestamp = options.startTimestampMs ?? wallClock()
    this.autoAdvanceMs = options.autoAdvanceMs ?? 0
  }

  /**
   * Pipes one record; `null` key or value are sent as null bytes (a tombstone). `partition` writes
   * it to that partition of a topic declared with several (`driver.declareTopic`), as a producer
   * choosing its partition would; without it the key decides, as Kafka's default partitioner does.
   */
  async pipeInput(key: K | null, value: V | null, timestamp?: number, headers: Headers = {}, partition?: number): Promise<void> {
    await this.send({ key, value, ...(timestamp === undefined ? {} : { timestamp }), headers, ...(partition === undefined ? {} : { partition }) }, true)
  }

  /** Pipes records in order; stores flush once at the end, which makes long lists fast. */
  async pipeRecordList(records: Iterable<TestRecord<K, V>>): Promise<void> {
    let last: TestRecord<K, V> | undefined
    for (const record of records) {
      if (last !== undefined) {
        const sent = this.send(last, false)
        if (isPromiseLike(sent)) await sent
      }
      last = record
    }
    if (last !== undefined) await this.send(last, true)
  }

  /** Serializes and pipes; synchronous when the serdes and the topology are. */
  private send(record: TestRecord<K, V>, flush: boolean): MaybePromise<void> {
    const headers = record.headers ?? {}
    const key = record.key === null ? null : this.keySerde.serialize(record.key, { topic: this.topic, isKey: true, headers })
    const value = record.value === null ? null : this.valueSerde.serialize(record.value, { topic: this.topic, isKey: false, headers })
    let timestamp = record.timestamp
    if (timestamp === undefined) {
      timestamp = this.nextTimestamp
      this.nextTimestamp += this.autoAdvanceMs
    }
    if (isPromiseLike(key) || isPromiseLike(value)) {
      const at = timestamp
      return Promise.all([key, value]).then(([k, v]) => this.pipe(this.topic, k, v, at, headers, flush, record.partition))
    }
    return this.pipe(this.topic, key, value, timestamp, headers, flush, record.partition)
  }
}
