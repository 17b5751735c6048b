import { createKeyValueStore, createSessionStore, createTimeOrderedBuffer, createWindowStore } from '../state/index.js'
import type { StateStore, StoreSupplierKind } from '../state/types.js'
import { resolveSerde, type DefaultSerdes, type StoreSpec } from './types.js'

export interface StoreBuildOptions {
  readonly storeSupplier: StoreSupplierKind
  readonly defaultSerdes: DefaultSerdes
  readonly cacheMaxBytes?: number
}

/** Builds the store a compiled topology describes, for a task of the runtime or the test driver. */
export function buildStore(spec: StoreSpec, options: StoreBuildOptions): StateStore {
  const storeOptions = {
    supplier: options.storeSupplier,
    keySerde: resolveSerde(spec.keySerde, options.defaultSerdes),
    valueSerde: resolveSerde(spec.valueSerde, options.defaultSerdes),
    ...(options.cacheMaxBytes === undefined ? {} : { cacheMaxBytes: options.cacheMaxBytes }),
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
