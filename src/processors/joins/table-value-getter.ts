import type { Windowed } from '../../core/windowed.js'
import { isPromiseLike, type MaybePromise } from '../../core/maybe-promise.js'
import type { KeyValueStore, SessionStore, StoreType, WindowStore } from '../../state/types.js'
import type { ProcessorContext } from '../api.js'
import type { ValueAndTimestamp } from '../value-and-timestamp.js'

/**
 * Reads a table's current row the way Kafka Streams' KTableValueGetter does, whatever store keeps
 * the table: a key-value store for plain tables, the window store of a time-windowed aggregation
 * (the row of `Windowed<K>` is the window starting at `window.start`), or the session store of a
 * session aggregation (the session `[start, end]`, whose timestamp is its end).
 */
export interface TableValueGetter {
  get(key: unknown): MaybePromise<ValueAndTimestamp<unknown> | undefined>
}

/** The store `storeName` of the processor's task, read as a table of the given store type. */
export function tableValueGetter(context: ProcessorContext<unknown, unknown>, storeName: string, storeType: StoreType): TableValueGetter {
  switch (storeType) {
    case 'keyValue': {
      const store = context.getStateStore<KeyValueStore<unknown, ValueAndTimestamp<unknown>>>(storeName)
      return { get: (key) => store.get(key) }
    }
    case 'window': {
      const store = context.getStateStore<WindowStore<unknown, ValueAndTimestamp<unknown>>>(storeName)
      return { get: (key) => store.fetch((key as Windowed<unknown>).key, (key as Windowed<unknown>).window.start) }
    }
    case 'session': {
      const store = context.getStateStore<SessionStore<unknown, unknown>>(storeName)
      return {
        get(key) {
          const { window } = key as Windowed<unknown>
          const found = store.fetchSession((key as Windowed<unknown>).key, window.start, window.end)
          return isPromiseLike(found) ? found.then((value) => sessionRow(value, window.end)) : sessionRow(found, window.end)
        },
      }
    }
  }
}

/** Session stores keep plain aggregates: a session's row carries its end, as its updates do. */
function sessionRow(value: unknown, end: number): ValueAndTimestamp<unknown> | undefined {
  return value === undefined || value === null ? undefined : { value, timestamp: end }
}
