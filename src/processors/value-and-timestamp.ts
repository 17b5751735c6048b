import type { MaybePromise } from '../core/maybe-promise.js'
import { isPromiseLike } from '../core/maybe-promise.js'
import type { Serde, SerdeContext } from '../serde/serde.js'
import type { ValueAndTimestamp } from '../state/types.js'

// The type belongs to the state contract (interactive queries unwrap it without knowing operators);
// operators import it from here, next to its serde.
export type { ValueAndTimestamp }

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
