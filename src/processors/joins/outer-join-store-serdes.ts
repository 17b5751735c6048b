import { isPromiseLike, type MaybePromise } from '../../core/maybe-promise.js'
import type { Serde, SerdeContext } from '../../serde/serde.js'

/** Which side of a stream-stream join a buffered record came from. */
export type JoinSide = 'left' | 'right'

/** Key of the shared outer-join store: ordered by timestamp, then side (right before left), then key. */
export interface TimestampedKeyAndJoinSide<K> {
  readonly timestamp: number
  readonly side: JoinSide
  readonly key: K
}

/**
 * Records of one side, same key and timestamp, that found no partner yet. A list, because a stream
 * may carry several records with the same key and timestamp and each must be emitted.
 */
export interface UnjoinedValues {
  readonly side: JoinSide
  readonly values: readonly unknown[]
}

/**
 * Eight bytes of big-endian timestamp, one side byte (0 right, 1 left, as Kafka Streams orders them),
 * then the key's own bytes: a byte-ordered scan of the store walks the buffered records oldest first.
 */
export function timestampedKeyAndJoinSideSerde<K>(keySerde: Serde<K>): Serde<TimestampedKeyAndJoinSide<K>> {
  return {
    serialize(data, context) {
      const keyBytes = keySerde.serialize(data.key, context)
      const encode = (bytes: Buffer): Buffer => {
        const out = Buffer.allocUnsafe(9 + bytes.length)
        out.writeBigInt64BE(BigInt(data.timestamp), 0)
        out.writeUInt8(data.side === 'left' ? 1 : 0, 8)
        bytes.copy(out, 9)
        return out
      }
      return isPromiseLike(keyBytes) ? keyBytes.then(encode) : encode(keyBytes)
    },
    deserialize(data, context) {
      const timestamp = Number(data.readBigInt64BE(0))
      const side: JoinSide = data.readUInt8(8) === 1 ? 'left' : 'right'
      const key = keySerde.deserialize(data.subarray(9), context)
      return isPromiseLike(key) ? key.then((k) => ({ timestamp, side, key: k })) : { timestamp, side, key }
    },
  }
}

/** A side byte, a count, then each value length-prefixed and encoded with that side's serde. */
export function unjoinedValuesSerde(leftSerde: Serde<unknown>, rightSerde: Serde<unknown>): Serde<UnjoinedValues> {
  return {
    serialize(data, context) {
      const serde = data.side === 'left' ? leftSerde : rightSerde
      const parts = data.values.map((v) => serde.serialize(v, context))
      if (parts.some(isPromiseLike)) return Promise.all(parts).then((p) => encodeValues(data.side, p))
      return encodeValues(data.side, parts as Buffer[])
    },
    deserialize(data, context) {
      const side: JoinSide = data.readUInt8(0) === 1 ? 'left' : 'right'
      const serde = side === 'left' ? leftSerde : rightSerde
      const count = data.readUInt32BE(1)
      const values: MaybePromise<unknown>[] = []
      let offset = 5
      for (let i = 0; i < count; i++) {
        const length = data.readUInt32BE(offset)
        values.push(serde.deserialize(data.subarray(offset + 4, offset + 4 + length), context as SerdeContext))
        offset += 4 + length
      }
      if (values.some(isPromiseLike)) return Promise.all(values).then((v) => ({ side, values: v }))
      return { side, values }
    },
  }
}

function encodeValues(side: JoinSide, parts: readonly Buffer[]): Buffer {
  const header = Buffer.allocUnsafe(5)
  header.writeUInt8(side === 'left' ? 1 : 0, 0)
  header.writeUInt32BE(parts.length, 1)
  const chunks: Buffer[] = [header]
  for (const part of parts) {
    const length = Buffer.allocUnsafe(4)
    length.writeUInt32BE(part.length, 0)
    chunks.push(length, part)
  }
  return Buffer.concat(chunks)
}
