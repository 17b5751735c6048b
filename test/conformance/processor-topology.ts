// What Kafka's tests read from a built ProcessorTopology (`stateStores()`, `hasPersistentLocalStore()`,
// a store's `persistent()`), read from Tributary's built Topology.
import { Serdes } from '../../src/serde/serdes.js'
import type { StateStore, StoreSupplierKind } from '../../src/state/types.js'
import { buildStore } from '../../src/topology/store-builder.js'
import type { Topology } from '../../src/topology/topology.js'

export function globalNodeNames(topology: Topology): Set<string> {
  return new Set(topology.subtopologies.filter((s) => s.global === true).flatMap((s) => s.nodes))
}

/** ProcessorTopology.stateStores(): non-global stores, in the order processors connect to them. */
export function stateStoreNames(topology: Topology): string[] {
  const global = globalNodeNames(topology)
  const names: string[] = []
  for (const node of topology.nodes.values()) {
    if (node.type !== 'processor' || global.has(node.name)) continue
    for (const store of node.stores) {
      if (topology.stores.get(store)?.global !== true && !names.includes(store)) names.push(store)
    }
  }
  return names
}

/**
 * assertTypesForStateStore(topology.stateStores(), ...): the kind of store each non-global store
 * is built as under the instance's `storeSupplier` (Kafka's dsl.store.suppliers config), in the
 * order of stateStores(). Java names the store classes: InMemoryKeyValueStore is 'memory keyValue',
 * RocksDBWindowStore 'rocksdb window', and so on.
 */
export function storeTypes(topology: Topology, storeSupplier: StoreSupplierKind = 'rocksdb'): string[] {
  return stateStoreNames(topology).map((name) => {
    const spec = topology.stores.get(name)!
    const store = buildStore(spec, { storeSupplier, defaultSerdes: { keySerde: Serdes.string(), valueSerde: Serdes.string() } }) as StateStore & { persistent: boolean }
    return `${store.persistent ? 'rocksdb' : 'memory'} ${spec.definition.type}`
  })
}

/** stateStores().get(i).persistent(), in the order of stateStores(), under the default (RocksDB) supplier. */
export function persistentStores(topology: Topology): boolean[] {
  return storeTypes(topology).map((type) => type.startsWith('rocksdb '))
}

/** ProcessorTopology.hasPersistentLocalStore(), under the default (RocksDB) supplier. */
export function hasPersistentLocalStore(topology: Topology): boolean {
  return persistentStores(topology).includes(true)
}
