import type { Change } from '../core/windowed.js'
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Serde, SerdeContext } from '../serde/serde.js'

/**
 * Serializes a table update (new and old value) into one repartition record, so that a table
 * `groupBy` can subtract the old value and add the new one downstream. Layout: a flag byte
 * (bit 0: new present, bit 1: old present), a 4-byte length of the new value, the new value, the old value.
 */
export function changeSerde<V>(inner: Serde<V>): Serde<Change<V>> {
  return {
    serialize(change: Change<V>, context: SerdeContext): MaybePromise<Buffer> {
      const newBytes = change.newValue === null ? null : inner.serialize(change.newValue, context)
      const oldBytes = change.oldValue === null ? null : inner.serialize(change.oldValue, context)
      if (isPromiseLike(newBytes) || isPromiseLike(oldBytes)) {
        return Promise.all([newBytes, oldBytes]).then(([n, o]) => encode(n, o))
      }
      return encode(newBytes, oldBytes)
    },
    deserialize(data: Buffer, context: SerdeContext): MaybePromise<Change<V>> {
      const flags = data.readUInt8(0)
      const newLength = data.readUInt32BE(1)
      const newValue = (flags & 1) === 0 ? null : inner.deserialize(data.subarray(5, 5 + newLength), context)
      const oldValue = (flags & 2) === 0 ? null : inner.deserialize(data.subarray(5 + newLength), context)
      if (isPromiseLike(newValue) || isPromiseLike(oldValue)) {
        return Promise.all([newValue, oldValue]).then(([n, o]) => ({ newValue: n, oldValue: o }))
      }
      return { newValue, oldValue }
    },
  }
}

function encode(newBytes: Buffer | null, oldBytes: Buffer | null): Buffer {
  const header = Buffer.allocUnsafe(5)
  header.writeUInt8((newBytes === null ? 0 : 1) | (oldBytes === null ? 0 : 2), 0)
  header.writeUInt32BE(newBytes === null ? 0 : newBytes.length, 1)
  return Buffer.concat([header, newBytes ?? Buffer.alloc(0), oldBytes ?? Buffer.alloc(0)])
}
