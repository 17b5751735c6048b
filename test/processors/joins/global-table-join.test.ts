import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../../src/dsl/index.js'
import { TopologyTestDriver } from '../../../src/testing/index.js'
import { int, rows, storeEngines, str, toStringJoiner } from './fixtures.js'

const keys = [0, 1, 2, 3]

// KStreamGlobalKTableJoinTest: stream values "X0,FKey0" look up the global row "FKey0".
function build(left: boolean) {
  const builder = new StreamsBuilder()
  const stream = builder.stream<number, string>('stream', { keySerde: int, valueSerde: str })
  const global = builder.globalTable<string, string>('global', { keySerde: str, valueSerde: str, storeName: 'global-store' })
  const keyMapper = (_key: number, value: string): string => value.split(',')[1] as string
  const joined = left ? stream.leftJoin(global, keyMapper, toStringJoiner) : stream.join(global, keyMapper, toStringJoiner)
  joined.to('out', { keySerde: int, valueSerde: str })
  return builder.build()
}

describe.each(storeEngines)('stream-global table joins (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  function start(left: boolean) {
    driver = new TopologyTestDriver(build(left), { stateStores })
    const streamIn = driver.createInputTopic('stream', int, str)
    const globalIn = driver.createInputTopic('global', str, str)
    return {
      out: driver.createOutputTopic('out', int, str),
      streamIn,
      pushToStream: async (count: number, prefix: string, withFk = true) => {
        for (let i = 0; i < count; i++) {
          const k = keys[i] as number
          await streamIn.pipeInput(k, withFk ? `${prefix}${k},FKey${k}` : `${prefix}${k}`, i)
        }
      },
      pushToGlobal: async (count: number, prefix: string) => {
        for (let i = 0; i < count; i++) await globalIn.pipeInput(`FKey${keys[i]}`, `${prefix}${keys[i]}`, 100 + i)
      },
      pushNullsToGlobal: async (count: number) => {
        for (let i = 0; i < count; i++) await globalIn.pipeInput(`FKey${keys[i]}`, null, 200 + i)
      },
    }
  }

  it('inner: joins by the mapped key, only where the global table has a row; global updates never emit', async () => {
    const { out, pushToStream, pushToGlobal } = start(false)
    await pushToStream(4, 'X')
    expect(rows(out)).toEqual([])
    await pushToGlobal(2, 'Y')
    expect(rows(out)).toEqual([])
    await pushToStream(4, 'X')
    expect(rows(out)).toEqual([[0, 'X0,FKey0+Y0', 0], [1, 'X1,FKey1+Y1', 1]])
  })

  it('inner: a global tombstone clears the row; a null mapped key drops the record', async () => {
    const { out, pushToStream, pushToGlobal, pushNullsToGlobal } = start(false)
    await pushToGlobal(4, 'Y')
    await pushNullsToGlobal(2)
    await pushToStream(4, 'X')
    expect(rows(out)).toEqual([[2, 'X2,FKey2+Y2', 2], [3, 'X3,FKey3+Y3', 3]])
    await pushToStream(2, 'NoFK', false)
    expect(rows(out)).toEqual([])
    expect(driver?.metrics().droppedRecordsByReason['null-key']).toBe(2)
  })

  it('left: joins every stream record, with null where the global table has no row', async () => {
    const { out, pushToStream, pushToGlobal } = start(true)
    await pushToGlobal(2, 'Y')
    await pushToStream(4, 'X')
    expect(rows(out)).toEqual([[0, 'X0,FKey0+Y0', 0], [1, 'X1,FKey1+Y1', 1], [2, 'X2,FKey2+null', 2], [3, 'X3,FKey3+null', 3]])
  })

  it('left: a record whose key mapper finds no key still goes out, joined with null (KIP-962, KAFKA-19208)', async () => {
    const { out, pushToStream, pushToGlobal } = start(true)
    await pushToGlobal(2, 'Y')
    await pushToStream(2, 'NoFK', false)
    expect(rows(out)).toEqual([[0, 'NoFK0+null', 0], [1, 'NoFK1+null', 1]])
    expect(driver?.metrics().droppedRecordsByReason['null-key'] ?? 0).toBe(0)
  })

  it('the global table is one store shared by every partition of the stream, queryable by name', async () => {
    driver = new TopologyTestDriver(build(false), { stateStores })
    driver.declareTopic('stream', { partitions: 3 })
    // A global table reads every partition of its topic into one store, however many there are.
    driver.declareTopic('global', { partitions: 2 })
    const globalIn = driver.createInputTopic('global', str, str)
    for (const k of keys) await globalIn.pipeInput(`FKey${k}`, `G${k}`, 0)
    const streamIn = driver.createInputTopic('stream', int, str)
    for (const k of keys) await streamIn.pipeInput(k, `X${k},FKey${k}`, k)
    const out = rows(driver.createOutputTopic('out', int, str)).sort((a, b) => (a[0] as number) - (b[0] as number))
    expect(out).toEqual([[0, 'X0,FKey0+G0', 0], [1, 'X1,FKey1+G1', 1], [2, 'X2,FKey2+G2', 2], [3, 'X3,FKey3+G3', 3]])
    expect(await driver.getKeyValueStore<string, string>('global-store').get('FKey2')).toBe('G2')
  })

  it('describe() shows the global store sub-topology (a named store takes no generated index); the join lists no store and has no co-partition group', () => {
    const topology = build(false)
    expect(topology.copartitionGroups).toEqual([])
    expect(topology.describe()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [stream])',
        '      --> KSTREAM-LEFTJOIN-0000000003',
        '    Processor: KSTREAM-LEFTJOIN-0000000003 (stores: [])',
        '      --> KSTREAM-SINK-0000000004',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Sink: KSTREAM-SINK-0000000004 (topic: out)',
        '      <-- KSTREAM-LEFTJOIN-0000000003',
        '',
        '  Sub-topology: 1 for global store (will not generate tasks)',
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [global])',
        '      --> KTABLE-SOURCE-0000000002',
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [global-store])',
        '      --> none',
        '      <-- KSTREAM-SOURCE-0000000001',
        '',
        '',
      ].join('\n'),
    )
  })
})
