/**
 * The messages of a foreign-key join's round trip (KIP-213): a left row subscribes to the right row
 * of its foreign key; the right side answers with that row (now, and whenever it changes), tagged
 * with the hash of the left value that subscribed so that stale answers can be recognised.
 */
import { isPromiseLike, type MaybePromise } from '../../../core/maybe-promise.js'
import type { Serde, SerdeContext } from '../../../serde/serde.js'

/** What the right side must do with a subscription (Kafka Streams' SubscriptionWrapper.Instruction). */
export const Instruction = {
  /** Unsubscribe; send nothing back (the left row moved to another foreign key). */
  deleteKeyNoPropagate: 0,
  /** Unsubscribe and send back a null, so the joined row is deleted. */
  deleteKeyAndPropagate: 1,
  /** Subscribe; answer with the right row, or with null when there is none. */
  propagateNullIfNoForeignValue: 2,
  /** Subscribe; answer only when the right row exists. */
  propagateOnlyIfForeignValue: 3,
} as const
export type Instruction = (typeof Instruction)[keyof typeof Instruction]

export interface Subscription<K> {
  /** murmur3 of the left value that subscribed; null when the left row was deleted. */
  readonly hash: Buffer | null
  readonly instruction: Instruction
  readonly primaryKey: K
}

export interface SubscriptionResponse<VO> {
  readonly hash: Buffer | null
  readonly foreignValue: VO | null
}

/** One left row subscribed to a right row, as the subscription store keeps it. */
export interface Subscriber<K> {
  readonly primaryKey: K
  readonly hash: Buffer | null
  readonly timestamp: number
}

const VERSION = 0

function hashBytes(hash: Buffer | null): Buffer {
  if (hash === null) return Buffer.from([0])
  return Buffer.concat([Buffer.from([1]), hash])
}

function readHash(data: Buffer, offset: number): [Buffer | null, number] {
  return data.readUInt8(offset) === 0 ? [null, offset + 1] : [Buffer.from(data.subarray(offset + 1, offset + 17)), offset + 17]
}

function mapMaybe<A, B>(value: MaybePromise<A>, f: (a: A) => B): MaybePromise<B> {
  return isPromiseLike(value) ? value.then(f) : f(value)
}

/** Version, instruction, hash, then the primary key in its own serde. */
export function subscriptionSerde<K>(primaryKeySerde: Serde<K>): Serde<Subscription<K>> {
  return {
    serialize(s: Subscription<K>, context: SerdeContext) {
      return mapMaybe(primaryKeySerde.serialize(s.primaryKey, { ...context, isKey: true }), (pk) =>
        Buffer.concat([Buffer.from([VERSION, s.instruction]), hashBytes(s.hash), pk]),
      )
    },
    deserialize(data: Buffer, context: SerdeContext) {
      const instruction = data.readUInt8(1) as Instruction
      const [hash, offset] = readHash(data, 2)
      return mapMaybe(primaryKeySerde.deserialize(data.subarray(offset), { ...context, isKey: true }), (primaryKey) => ({ hash, instruction, primaryKey }))
    },
  }
}

/** Version, hash, a presence byte, then the right value in its own serde. */
export function subscriptionResponseSerde<VO>(foreignValueSerde: Serde<VO>): Serde<SubscriptionResponse<VO>> {
  return {
    serialize(r: SubscriptionResponse<VO>, context: SerdeContext) {
      const head = Buffer.concat([Buffer.from([VERSION]), hashBytes(r.hash)])
      if (r.foreignValue === null) return Buffer.concat([head, Buffer.from([0])])
      return mapMaybe(foreignValueSerde.serialize(r.foreignValue, context), (v) => Buffer.concat([head, Buffer.from([1]), v]))
    },
    deserialize(data: Buffer, context: SerdeContext) {
      const [hash, offset] = readHash(data, 1)
      if (data.readUInt8(offset) === 0) return { hash, foreignValue: null }
      return mapMaybe(foreignValueSerde.deserialize(data.subarray(offset + 1), context), (foreignValue) => ({ hash, foreignValue }))
    },
  }
}

/** A count, then per subscriber: hash, timestamp, length-prefixed primary key. */
export function subscribersSerde<K>(primaryKeySerde: Serde<K>): Serde<readonly Subscriber<K>[]> {
  return {
    serialize(list: readonly Subscriber<K>[], context: SerdeContext) {
      const keys = list.map((s) => primaryKeySerde.serialize(s.primaryKey, { ...context, isKey: true }))
      const encode = (keyBytes: readonly Buffer[]): Buffer => {
        const parts: Buffer[] = [Buffer.alloc(4)]
        ;(parts[0] as Buffer).writeUInt32BE(list.length, 0)
        list.forEach((s, i) => {
          const fixed = Buffer.alloc(12)
          fixed.writeBigInt64BE(BigInt(s.timestamp), 0)
          fixed.writeUInt32BE((keyBytes[i] as Buffer).length, 8)
          parts.push(hashBytes(s.hash), fixed, keyBytes[i] as Buffer)
        })
        return Buffer.concat(parts)
      }
      return keys.some(isPromiseLike) ? Promise.all(keys).then(encode) : encode(keys as Buffer[])
    },
    deserialize(data: Buffer, context: SerdeContext) {
      const count = data.readUInt32BE(0)
      const entries: { hash: Buffer | null; timestamp: number; primaryKey: MaybePromise<K> }[] = []
      let offset = 4
      for (let i = 0; i < count; i++) {
        const [hash, next] = readHash(data, offset)
        const timestamp = Number(data.readBigInt64BE(next))
        const length = data.readUInt32BE(next + 8)
        const primaryKey = primaryKeySerde.deserialize(data.subarray(next + 12, next + 12 + length), { ...context, isKey: true })
        entries.push({ hash, timestamp, primaryKey })
        offset = next + 12 + length
      }
      if (entries.some((e) => isPromiseLike(e.primaryKey))) {
        return Promise.all(entries.map((e) => e.primaryKey)).then((keys) => entries.map((e, i) => ({ hash: e.hash, timestamp: e.timestamp, primaryKey: keys[i] as K })))
      }
      return entries as Subscriber<K>[]
    },
  }
}

/**
 * Identity of a key for comparisons inside the join (same foreign key? same subscriber?): primitives
 * by value, anything else by its JSON form, which is stable for the plain objects keys are made of.
 */
export function keyIdentity(key: unknown): string {
  return typeof key === 'object' && key !== null ? `o:${JSON.stringify(key)}` : `${typeof key}:${String(key)}`
}
