import { describe, expect, it } from 'vitest'
import { addOperatorStore, type CompileContext, type DslStore, sourceTableStore } from '../../../src/dsl/logical/compile-context.js'
import { Serdes } from '../../../src/serde/serdes.js'
import { TopologyAssembler } from '../../../src/topology/topology-assembler.js'
import type { Topology } from '../../../src/topology/topology.js'
import { resolveSerde } from '../../../src/topology/types.js'

const str = Serdes.string()
const defaults = { keySerde: str, valueSerde: str }

/** Adds the stores to an otherwise empty topology, as an operator compiler would. */
function withStores(...stores: DslStore[]): Topology {
  const assembler = new TopologyAssembler()
  const ctx: CompileContext = { assembler, parentsOf: () => [], setOutput: () => {}, sourceTopicsOf: () => [], reuseSourceTopics: false, isMaterialized: () => true, sendsOldValues: () => true, tableView: () => { throw new Error('no tables here') } }
  for (const store of stores) addOperatorStore(ctx, store)
  return assembler.build()
}

const base = { keySerde: str, valueSerde: str, valueFormat: 'plain', loggingEnabled: true } as const

describe('addOperatorStore', () => {
  it('backs a key-value store up to a compacted changelog', () => {
    const topology = withStores({ ...base, name: 'counts', type: 'keyValue' })
    expect(topology.stores.get('counts')).toMatchObject({ changelogTopic: 'counts-changelog', changelogIsInternal: true })
    expect(topology.internalTopics.get('counts-changelog')).toEqual({
      name: 'counts-changelog',
      purpose: 'changelog',
      numPartitions: undefined,
      config: { 'cleanup.policy': 'compact' },
    })
  })

  it('lets a windowed store\'s changelog drop what is a day past the store\'s retention', () => {
    const topology = withStores({ ...base, name: 'w', type: 'window', retentionMs: 5_000, windowSizeMs: 1_000 })
    expect(topology.internalTopics.get('w-changelog')?.config).toEqual({ 'cleanup.policy': 'compact,delete', 'retention.ms': String(5_000 + 86_400_000) })
  })

  it('writes no changelog with logging off', () => {
    const topology = withStores({ ...base, name: 'counts', type: 'keyValue', loggingEnabled: false })
    expect(topology.stores.get('counts')).toMatchObject({ changelogTopic: undefined, changelogIsInternal: false })
    expect(topology.internalTopics.size).toBe(0)
  })

  it('copies the stream-join role and retainDuplicates into the definition only when set', () => {
    const topology = withStores(
      { ...base, name: 'buffer', type: 'window', retentionMs: 10, windowSizeMs: 10, retainDuplicates: true, streamJoinStore: 'window-buffer' },
      { ...base, name: 'plain', type: 'window', retentionMs: 10, windowSizeMs: 10 },
    )
    expect(topology.stores.get('buffer')?.definition).toMatchObject({ retainDuplicates: true, streamJoinStore: 'window-buffer' })
    expect(Object.keys(topology.stores.get('plain')?.definition ?? {})).not.toContain('streamJoinStore')
    expect(Object.keys(topology.stores.get('plain')?.definition ?? {})).not.toContain('retainDuplicates')
  })

  it('stores timestamped values as eight bytes of timestamp and the value', async () => {
    const topology = withStores({ ...base, name: 'agg', type: 'keyValue', valueFormat: 'timestamped' })
    const spec = topology.stores.get('agg')
    if (spec === undefined) throw new Error('store "agg" is missing')
    const serde = resolveSerde(spec.valueSerde, defaults)
    const bytes = (await serde.serialize({ value: 'v', timestamp: 42 }, { topic: 'agg-changelog', isKey: false })) as Buffer
    expect(bytes.readBigInt64BE(0)).toBe(42n)
    expect(bytes.subarray(8).toString()).toBe('v')
  })
})

describe('sourceTableStore', () => {
  it('uses the table\'s topic as the changelog and writes no copy', () => {
    const spec = sourceTableStore({ storeName: 'drivers', topic: 'driver_profiles', keySerde: str, valueSerde: str })
    expect(spec).toMatchObject({
      definition: { name: 'drivers', type: 'keyValue', loggingEnabled: false, cachingEnabled: true },
      valueFormat: 'timestamped',
      changelogTopic: 'driver_profiles',
      changelogIsInternal: false,
    })
    expect(spec.definition).not.toHaveProperty('streamJoinStore')
  })
})
