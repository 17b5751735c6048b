import { isPromiseLike, type MaybePromise } from './maybe-promise.js'

/**
 * Calls `step(items[i])` for each item in order, waiting only when a step returns a promise. When
 * every step is synchronous, no promise and no closure is allocated: this is the hot path of
 * operators whose state is cached.
 */
export function forEachInOrder<T>(items: readonly T[], step: (item: T) => MaybePromise<void>, from = 0): MaybePromise<void> {
  for (let i = from; i < items.length; i++) {
    const result = step(items[i] as T)
    if (isPromiseLike(result)) return result.then(() => forEachInOrder(items, step, i + 1))
  }
  return undefined
}

/** Runs `next` after `first` completes, synchronously when `first` is not a promise. */
export function andThen<T, R>(first: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return isPromiseLike(first) ? first.then(next) : next(first)
}
