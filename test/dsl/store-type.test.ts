import { describe, expect, it } from 'vitest'
import { TopologyError } from '../../src/core/errors.js'
import { JoinWindows, StreamsBuilder, TimeWindows } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import type { StoreSupplierKind } from '../../src/state/types.js'
import type { Topology } from '../../src/topology/topology.js'

const str = Serdes.string()
const typeOf = (topology: Topology, store: string): StoreSupplierKind | undefined => topology.stores.get(store)?.definition.storeType

describe("storeType (Kafka Streams' Materialized.withStoreType)", () => {
  it('reaches the store of every operator that keeps one, and leaves the others to the instance supplier', () => {
    const b = new StreamsBuilder()
    const pings = b.stream<string, string>('pings', { keySerde: str, valueSerde: str })
    const grouped = pings.groupByKey()
    grouped.count({ storeName: 'counts', storeType: 'memory' })
    grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count({ storeName: 'per-minute', storeType: 'memory' })
    grouped.count({ storeName: 'default-counts' })
    const drivers = b.table<string, string>('drivers', { keySerde: str, valueSerde: str, storeName: 'drivers', storeType: 'memory' })
    drivers.filter(() => true, { storeName: 'active', storeType: 'rocksdb' })
    drivers.join(drivers, (a, c) => a + c, { storeName: 'pairs', storeType: 'memory' })
    pings.toTable({ storeName: 'latest', storeType: 'memory' })
    pings.join(pings, (a, c) => a + c, JoinWindows.ofTimeDifferenceWithNoGrace(1_000), { storeName: 'self', storeType: 'memory' })
    pings.leftJoin(pings, (a, c) => a + c, JoinWindows.ofTimeDifferenceWithNoGrace(1_000), { storeName: 'self-left', storeType: 'memory' })
    drivers.join(drivers, (row) => row, (a, c) => a + c, { storeName: 'by-fk', storeType: 'memory' })
    grouped.cogroup<string>((_k, v, agg) => agg + v).aggregate(() => '', { storeName: 'cogrouped', storeType: 'memory' })
    b.globalTable<string, string>('zones', { keySerde: str, valueSerde: str, storeName: 'zones', storeType: 'memory' })
    b.addStateStore({ name: 'seen', type: 'keyValue', storeType: 'memory' })
    const topology = b.build()
    for (const store of ['counts', 'per-minute', 'drivers', 'pairs', 'latest', 'by-fk', 'cogrouped', 'zones', 'seen']) expect(typeOf(topology, store), store).toBe('memory')
    for (const store of ['self-this-join-store', 'self-other-join-store', 'self-left-this-join-store', 'self-left-outer-other-join-store', 'self-left-left-shared-join-store']) {
      expect(typeOf(topology, store), store).toBe('memory')
    }
    expect(typeOf(topology, 'active')).toBe('rocksdb')
    expect(typeOf(topology, 'default-counts')).toBeUndefined()
  })

  it('as a Materialized without a store name, burns a store name index as Kafka does', () => {
    const describeWith = (options: { storeType?: StoreSupplierKind; cachingEnabled?: boolean }) => {
      const b = new StreamsBuilder()
      b.stream<string, string>('pings', { keySerde: str, valueSerde: str }).groupByKey().count(options).toStream().to('out')
      return b.build().describe().toString()
    }
    // Materialized.as(StoreType.IN_MEMORY) and Materialized.with...().withCachingDisabled() name alike.
    expect(describeWith({ storeType: 'memory' })).toBe(describeWith({ cachingEnabled: false }))
    expect(describeWith({ storeType: 'memory' })).not.toBe(describeWith({}))
  })

  it('refuses a store type it does not know, naming the store', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('pings').groupByKey().count({ storeName: 'counts', storeType: 'in_memory' as StoreSupplierKind })
    expect(() => b.build()).toThrow(TopologyError)
    expect(() => b.build()).toThrow(/"counts" has storeType "in_memory": use 'rocksdb' or 'memory'/)
  })
})
