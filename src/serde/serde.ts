import type { Headers } from '../core/record.js'
import type { MaybePromise } from '../core/maybe-promise.js'

/** What a serde may want to know about the bytes it handles (schema registry subject naming). */
export interface SerdeContext {
  readonly topic: string
  readonly isKey: boolean
  readonly headers?: Headers
}

/**
 * Turns values into bytes and back. `null` never reaches a serde: Tributary maps a null key or
 * value to null bytes (a tombstone) and back itself. Implementations should be synchronous; one
 * that needs I/O (a schema fetch on a cache miss) may return a promise for that call only.
 */
export interface Serde<T> {
  serialize(value: T, context: SerdeContext): MaybePromise<Buffer>
  deserialize(data: Buffer, context: SerdeContext): MaybePromise<T>
}
