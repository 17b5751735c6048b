/**
 * The joiners of stream joins: Kafka Streams' `ValueJoiner` (the two values) and `ValueJoinerWithKey`
 * (KIP-149: the key too, read-only). A function's arity is no safe way to tell them apart in
 * TypeScript, so a joiner that wants the key says so: `withKey((key, value, otherValue) => ...)`.
 */
import { TopologyError } from '../core/errors.js'

/** Kafka Streams' `ValueJoiner`: computes the value of a join result from the two joined values. */
export type ValueJoiner<V1, V2, VR> = (value1: V1, value2: V2) => VR

/**
 * Where a `ValueJoinerWithKey` keeps its function. Not exported by the package: a joiner is made by
 * `withKey`. Registered, so that a joiner made by another copy of the package is recognized too.
 * The declarations must keep it (so it is not marked internal), or any object would type as a joiner.
 */
export const valueJoinerWithKeyFn: unique symbol = Symbol.for('tributary.valueJoinerWithKey') as never

/**
 * Kafka Streams' `ValueJoinerWithKey` (KIP-149): computes the value of a join result from the key
 * and the two joined values. Made by {@link withKey}; accepted wherever Kafka Streams takes one (the
 * stream-stream, stream-table and stream-globalTable joins of `KStream`).
 */
export interface ValueJoinerWithKey<K, V1, V2, VR> {
  /** Kafka's `apply(readOnlyKey, value1, value2)`. */
  readonly [valueJoinerWithKeyFn]: (readOnlyKey: K, value1: V1, value2: V2) => VR
}

/**
 * Wraps `(readOnlyKey, value1, value2) => result` as Kafka Streams' `ValueJoinerWithKey`, for a join
 * whose result depends on the key. The key is the record's key: the stream record's for a
 * stream-table or stream-globalTable join (not the key mapped into the global table), the joined
 * records' common key for a stream-stream join (and the unmatched record's key, for the results of
 * left and outer joins). It is passed as is and must not be modified.
 *
 * @example
 * rides.join(drivers, withKey((rideId, ride, driver) => ({ rideId, km: ride.km, driver: driver.name })), JoinWindows.ofTimeDifferenceWithNoGrace(60_000))
 */
export function withKey<K, V1, V2, VR>(joiner: (readOnlyKey: K, value1: V1, value2: V2) => VR): ValueJoinerWithKey<K, V1, V2, VR> {
  if (typeof joiner !== 'function') throw new TopologyError(`withKey() takes a function (readOnlyKey, value1, value2) => result, not ${kindOf(joiner)}.`)
  return Object.freeze({ [valueJoinerWithKeyFn]: joiner })
}

/**
 * @internal The `(key, value1, value2)` form every join processor calls, as Kafka Streams turns a
 * `ValueJoiner` into a `ValueJoinerWithKey` (toValueJoinerWithKey). Throws a TopologyError for
 * anything that is no joiner, at the join's declaration.
 */
export function toValueJoinerWithKey(joiner: unknown, operation: string): (key: unknown, value1: unknown, value2: unknown) => unknown {
  if (typeof joiner === 'function') {
    // Any function is a ValueJoiner. Its arity says nothing (`(a, b, c?) => ...` has length 3 and is
    // a valid ValueJoiner); TypeScript rejects an unwrapped (key, value1, value2) lambda.
    const plain = joiner as (value1: unknown, value2: unknown) => unknown
    return (_key, value1, value2) => plain(value1, value2)
  }
  if (typeof joiner === 'object' && joiner !== null) {
    const withKeyFn = (joiner as Partial<ValueJoinerWithKey<unknown, unknown, unknown, unknown>>)[valueJoinerWithKeyFn]
    if (typeof withKeyFn === 'function') return withKeyFn
  }
  throw new TopologyError(`${operation}: joiner can't be ${kindOf(joiner)}; pass (value1, value2) => result, or withKey((readOnlyKey, value1, value2) => result).`)
}

/**
 * @internal Kafka Streams' KTable joins (key and foreign-key) take a `ValueJoiner` only: a
 * `ValueJoinerWithKey` passed to one (from untyped code) gets a TopologyError saying what to do.
 */
export function rejectValueJoinerWithKey(operation: string, ...args: readonly unknown[]): void {
  for (const arg of args) {
    if (typeof arg === 'object' && arg !== null && valueJoinerWithKeyFn in arg) {
      throw new TopologyError(
        `${operation}: table joins take a joiner (value1, value2) => result, as in Kafka Streams (ValueJoinerWithKey is for KStream joins). ` +
          `For the key, map the result: table.join(other, joiner).mapValues((value, key) => ...).`,
      )
    }
  }
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value)
  return `a value of type ${typeof value}`
}
