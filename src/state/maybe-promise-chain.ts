/**
 * Composition of `MaybePromise` values that stays synchronous when its input is: the state
 * layers chain serde and store results with these so the in-memory and cached paths allocate
 * no promise. The hottest paths (metered get and put) inline the same check instead of passing a
 * callback.
 */
import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'

export function andThen<T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return isPromiseLike(value) ? value.then(next) : next(value)
}

/** Resolves every element; an array of plain values comes back as is, synchronously. */
export function allOf<T>(values: MaybePromise<T>[]): MaybePromise<T[]> {
  for (let i = 0; i < values.length; i++) {
    if (isPromiseLike(values[i])) return Promise.all(values)
  }
  return values as T[]
}
