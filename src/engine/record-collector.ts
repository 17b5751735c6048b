import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Headers } from '../core/record.js'
import type { Serde } from '../serde/serde.js'
import { serializationFailure, type ProductionExceptionHandler } from './exception-handlers.js'
import type { RecordWriter } from './types.js'

/**
 * Where a sink hands its records (Kafka Streams' RecordCollector): the collector serializes them
 * and applies the production exception handler, so a key or value that cannot be serialized is
 * decided about here, for that one record, while the input record's other outputs still go out.
 */
export interface RecordCollector {
  send(
    topic: string,
    key: unknown,
    value: unknown,
    timestamp: number,
    headers: Headers,
    keySerde: Serde<unknown>,
    valueSerde: Serde<unknown>,
  ): MaybePromise<void>
}

/**
 * The collector of one task: serializes with the sink's serdes (null and undefined stay null, a
 * tombstone), writes the bytes to the task's writer, and under `productionExceptionHandler`
 * 'continue' drops and counts a record that cannot be serialized; 'fail' throws a ProductionError.
 * Synchronous unless a serde answers with a promise (a schema registry lookup).
 */
export class TaskRecordCollector implements RecordCollector {
  constructor(
    private readonly taskId: string,
    private readonly writer: RecordWriter,
    private readonly handler: ProductionExceptionHandler,
    private readonly onDropped: () => void,
  ) {}

  send(
    topic: string,
    key: unknown,
    value: unknown,
    timestamp: number,
    headers: Headers,
    keySerde: Serde<unknown>,
    valueSerde: Serde<unknown>,
  ): MaybePromise<void> {
    let keyBytes: MaybePromise<Buffer | null>
    let valueBytes: MaybePromise<Buffer | null>
    try {
      keyBytes = serializeNullable(keySerde, key, topic, true, headers)
    } catch (error) {
      return this.failed(error, topic, 'key')
    }
    try {
      valueBytes = serializeNullable(valueSerde, value, topic, false, headers)
    } catch (error) {
      // The key's serde may still be answering: its outcome no longer matters.
      if (isPromiseLike(keyBytes)) Promise.resolve(keyBytes).catch(() => undefined)
      return this.failed(error, topic, 'value')
    }
    if (isPromiseLike(keyBytes) || isPromiseLike(valueBytes)) {
      const k = Promise.resolve(keyBytes).catch((error: unknown) => Promise.reject(new SideFailure(error, 'key')))
      const v = Promise.resolve(valueBytes).catch((error: unknown) => Promise.reject(new SideFailure(error, 'value')))
      return Promise.all([k, v]).then(
        ([kb, vb]) => this.writer.send({ topic, key: kb, value: vb, timestamp, headers }),
        (failure: SideFailure) => this.failed(failure.error, topic, failure.side),
      )
    }
    this.writer.send({ topic, key: keyBytes, value: valueBytes, timestamp, headers })
    return undefined
  }

  private failed(error: unknown, topic: string, side: 'key' | 'value'): void {
    if (this.handler === 'fail') throw serializationFailure(error, topic, `task ${this.taskId}, ${side}`)
    this.onDropped()
  }
}

/** Which side of a record an asynchronous serde failed on. */
class SideFailure {
  constructor(
    readonly error: unknown,
    readonly side: 'key' | 'value',
  ) {}
}

function serializeNullable(serde: Serde<unknown>, value: unknown, topic: string, isKey: boolean, headers: Headers): MaybePromise<Buffer | null> {
  if (value === null || value === undefined) return null
  return serde.serialize(value, { topic, isKey, headers })
}
