import { IllegalStateError, SerdeError } from '../core/errors.js'
import { isPromiseLike } from '../core/maybe-promise.js'
import type { Headers, KeyValue, Record as StreamRecord } from '../core/record.js'
import type { Serde } from '../serde/serde.js'
import type { OutputQueue } from './output-queue.js'

/** A record as a sink (or changelog) wrote it. */
export interface ProducedRecord {
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly timestamp: number
  readonly headers: Headers
}

/**
 * Reads, in order, what the topology wrote to one topic. Reading consumes: each record is returned
 * once. Serdes must deserialize synchronously.
 */
export class TestOutputTopic<K, V> {
  /** @internal Made by `driver.createOutputTopic()`. */
  constructor(
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly queue: () => OutputQueue,
  ) {}

  readRecord(): StreamRecord<K | null, V | null> {
    const next = this.queue().shift()
    if (next === undefined) throw new IllegalStateError(`No more records in output topic "${this.topic}". Check isEmpty() first.`)
    return {
      key: next.key === null ? null : this.decode(this.keySerde, next.key, true, next.headers),
      value: next.value === null ? null : this.decode(this.valueSerde, next.value, false, next.headers),
      timestamp: next.timestamp,
      headers: next.headers,
    }
  }

  readKeyValue(): KeyValue<K | null, V | null> {
    const record = this.readRecord()
    return [record.key, record.value]
  }

  readValue(): V | null {
    return this.readRecord().value
  }

  readRecordsToList(): StreamRecord<K | null, V | null>[] {
    const records: StreamRecord<K | null, V | null>[] = []
    while (!this.isEmpty()) records.push(this.readRecord())
    return records
  }

  readKeyValuesToList(): KeyValue<K | null, V | null>[] {
    return this.readRecordsToList().map((r) => [r.key, r.value] as const)
  }

  readValuesToList(): (V | null)[] {
    return this.readRecordsToList().map((r) => r.value)
  }

  /** The latest value per key (a null value is kept as null). */
  readKeyValuesToMap(): Map<K | null, V | null> {
    const map = new Map<K | null, V | null>()
    for (const record of this.readRecordsToList()) map.set(record.key, record.value)
    return map
  }

  isEmpty(): boolean {
    return this.queue().length === 0
  }

  getQueueSize(): number {
    return this.queue().length
  }

  private decode<T>(serde: Serde<T>, data: Buffer, isKey: boolean, headers: Headers): T {
    const value = serde.deserialize(data, { topic: this.topic, isKey, headers })
    if (isPromiseLike(value)) {
      throw new SerdeError(`The ${isKey ? 'key' : 'value'} serde of output topic "${this.topic}" answered asynchronously; test output topics need a synchronous serde.`)
    }
    return value
  }
}
