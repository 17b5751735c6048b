import type { CacheBudget } from '../state/layers/cache-budget.js'
import { createKeyValueStore, createSessionStore, createTimeOrderedBuffer, createWindowStore } from '../state/index.js'
import type { StateStore, StoreSupplierKind } from '../state/types.js'
import { resolveSerde, type DefaultSerdes, type StoreSpec } from './types.js'

export interface StoreBuildOptions {
  readonly storeSupplier: StoreSupplierKind
  readonly defaultSerdes: DefaultSerdes
  /** The instance's record cache budget; absent, stores keep write-behind caches of their own. */
  readonly recordCache?: CacheBudget
  /** Without a record cache: the budget the stores' write-behind caches share. */
  readonly writeCache?: CacheBudget
  /** See `StoreOptions.joinCacheMaxBytes`. */
  readonly joinCacheMaxBytes?: number
  /** See `StoreOptions.joinCache`: the instance's budget of join-store copies. */
  readonly joinCache?: CacheBudget
}

/** Builds the store a compiled topology describes, for a task of the runtime or the test driver. */
export function buildStore(spec: StoreSpec, options: StoreBuildOptions): StateStore {
  const storeOptions = {
    supplier: spec.definition.storeType ?? options.storeSupplier,
    keySerde: resolveSerde(spec.keySerde, options.defaultSerdes),
    valueSerde: resolveSerde(spec.valueSerde, options.defaultSerdes),
    ...(options.recordCache === undefined ? {} : { recordCache: options.recordCache }),
    ...(options.writeCache === undefined ? {} : { writeCache: options.writeCache }),
    ...(options.joinCacheMaxBytes === undefined ? {} : { joinCacheMaxBytes: options.joinCacheMaxBytes }),
    ...(options.joinCache === undefined ? {} : { joinCache: options.joinCache }),
  }
  switch (spec.definition.type) {
    case 'keyValue':
      return spec.definition.timeOrderedBuffer === true ? createTimeOrderedBuffer(spec.definition, storeOptions) : createKeyValueStore(spec.definition, storeOptions)
    case 'window':
      return createWindowStore(spec.definition, storeOptions)
    case 'session':
      return createSessionStore(spec.definition, storeOptions)
  }
}
