import type { StateStore } from '../state/types.js'
import type { KafkaStreamsState } from './streams-events.js'

/** Builds the error a read gets when its store was closed under it; `undefined` keeps the original. */
export type ClosedStoreError = (cause: unknown) => Error | undefined

/**
 * Wraps a task's store for an interactive query. A read started while the instance was RUNNING
 * may outlive the task: a rebalance closes it mid-scan, or between `get`s. The store then fails
 * with its own "not open" error, which says nothing to a caller; `translate` turns it into the
 * InvalidStateStoreError Kafka Streams users expect (retry, or ask another instance).
 */
export function guardAgainstClose<S extends StateStore>(store: S, translate: ClosedStoreError): S {
  const fail = (error: unknown): never => {
    throw translate(error) ?? error
  }
  return new Proxy(store, {
    get(target, property, receiver) {
      const member: unknown = Reflect.get(target, property, receiver)
      if (typeof member !== 'function') return member
      return (...args: unknown[]) => {
        let result: unknown
        try {
          result = (member as (...a: unknown[]) => unknown).apply(target, args)
        } catch (error) {
          return fail(error)
        }
        if (result instanceof Promise) return result.catch(fail)
        if (isAsyncIterator(result)) return guardIterator(result, fail)
        return result
      }
    },
  })
}

function isAsyncIterator(value: unknown): value is AsyncIterableIterator<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterableIterator<unknown>).next === 'function' && Symbol.asyncIterator in value
}

function guardIterator<T>(iterator: AsyncIterableIterator<T>, fail: (error: unknown) => never): AsyncIterableIterator<T> {
  const guarded: AsyncIterableIterator<T> = {
    next: (...args) => iterator.next(...args).catch(fail),
    return: (value) => (iterator.return === undefined ? Promise.resolve({ done: true as const, value }) : iterator.return(value).catch(fail)),
    [Symbol.asyncIterator]: () => guarded,
  }
  return guarded
}

/** Whether a store read that failed in `state` may succeed on a retry (the instance is still serving). */
export const retriableIn = (state: KafkaStreamsState): boolean => state === 'CREATED' || state === 'REBALANCING' || state === 'RUNNING'
