/**
 * A value now, or later. Hot paths (cached state, synchronous serdes) return plain values so that
 * no promise is allocated per record; slow paths (a RocksDB read, a schema fetch) return promises.
 */
export type MaybePromise<T> = T | Promise<T>

/** True when `value` is a thenable: the caller must wait for it. */
export function isPromiseLike<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}
