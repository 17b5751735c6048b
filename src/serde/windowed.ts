import { SerdeError } from '../core/errors.js'
import { isPromiseLike } from '../core/maybe-promise.js'
import type { Windowed } from '../core/windowed.js'
import type { Serde, SerdeContext } from './serde.js'

/*
 * Windowed keys in Kafka Streams' formats, so that windowed results written by Tributary can be
 * read by Kafka Streams consumers (and the other way round):
 * - time windows: [inner key][8-byte window start]; the end is start + window size;
 * - session windows: [inner key][8-byte end][8-byte start].
 */

function sync<T>(value: T | Promise<T>, what: string): T {
  if (isPromiseLike(value)) {
    throw new SerdeError(`${what}: the inner key serde must be synchronous (a schema registry serde cannot key windows).`)
  }
  return value
}

function tooShort(data: Buffer, need: number, context: SerdeContext): SerdeError {
  return new SerdeError(
    `A windowed key on topic "${context.topic}" is ${data.length} bytes; it needs at least ${need} for the window. ` +
      'Was it written by a windowed aggregation?',
  )
}

/** Keys of tumbling and hopping window results. `windowSizeMs` gives each key its window end. */
export function timeWindowedSerde<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
  if (!(windowSizeMs > 0)) throw new SerdeError(`Serdes.timeWindowed needs a window size > 0 ms, got ${windowSizeMs}.`)
  return {
    serialize(windowed, context) {
      const key = sync(inner.serialize(windowed.key, context), 'Serdes.timeWindowed')
      const out = Buffer.allocUnsafe(key.length + 8)
      key.copy(out, 0)
      out.writeBigInt64BE(BigInt(windowed.window.start), key.length)
      return out
    },
    deserialize(data, context) {
      if (data.length < 8) throw tooShort(data, 8, context)
      const start = Number(data.readBigInt64BE(data.length - 8))
      const key = sync(inner.deserialize(data.subarray(0, data.length - 8), context), 'Serdes.timeWindowed')
      return { key, window: { start, end: start + windowSizeMs } }
    },
  }
}

/** Keys of session window results. */
export function sessionWindowedSerde<K>(inner: Serde<K>): Serde<Windowed<K>> {
  return {
    serialize(windowed, context) {
      const key = sync(inner.serialize(windowed.key, context), 'Serdes.sessionWindowed')
      const out = Buffer.allocUnsafe(key.length + 16)
      key.copy(out, 0)
      out.writeBigInt64BE(BigInt(windowed.window.end), key.length)
      out.writeBigInt64BE(BigInt(windowed.window.start), key.length + 8)
      return out
    },
    deserialize(data, context) {
      if (data.length < 16) throw tooShort(data, 16, context)
      const end = Number(data.readBigInt64BE(data.length - 16))
      const start = Number(data.readBigInt64BE(data.length - 8))
      const key = sync(inner.deserialize(data.subarray(0, data.length - 16), context), 'Serdes.sessionWindowed')
      return { key, window: { start, end } }
    },
  }
}
