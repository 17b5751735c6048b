import type { MaybePromise } from '../core/maybe-promise.js'
import { isPromiseLike } from '../core/maybe-promise.js'
import type { Serde, SerdeContext } from '../serde/serde.js'

/**
 * What aggregate and table stores keep: the value and the largest input timestamp that produced it,
 * so that an update forwards the right output timestamp after a restart too.
 */
export interface ValueAndTimestamp<V> {
  readonly value: V
  readonly timestamp: number
}

/** Eight bytes of big-endian timestamp, then the inner serde's bytes (Kafka's timestamped store format). */
export function valueAndTimestampSerde<V>(inner: Serde<V>): Serde<ValueAndTimestamp<V>> {
  return {
    serialize(vt: ValueAndTimestamp<V>, context: SerdeContext): MaybePromise<Buffer> {
      const bytes = inner.serialize(vt.value, context)
      return isPromiseLike(bytes) ? bytes.then((b) => withTimestamp(vt.timestamp, b)) : withTimestamp(vt.timestamp, bytes)
    },
    deserialize(data: Buffer, context: SerdeContext): MaybePromise<ValueAndTimestamp<V>> {
      const timestamp = Number(data.readBigInt64BE(0))
      const value = inner.deserialize(data.subarray(8), context)
      return isPromiseLike(value) ? value.then((v) => ({ value: v, timestamp })) : { value, timestamp }
    },
  }
}

function withTimestamp(timestamp: number, bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(8 + bytes.length)
  out.writeBigInt64BE(BigInt(timestamp), 0)
  bytes.copy(out, 8)
  return out
}
