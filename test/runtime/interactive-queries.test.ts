import { describe, expect, it } from 'vitest'
import { ConfigError, isTributaryError } from '../../src/core/errors.js'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { checkQueryable, InvalidStateStoreError, localStoreView } from '../../src/runtime/interactive-queries.js'
import type { KafkaStreamsState } from '../../src/runtime/streams-events.js'
import { Serdes } from '../../src/serde/index.js'
import type { StateStore } from '../../src/state/types.js'
import { QueryableStoreTypes } from '../../src/topology/queryable-store-types.js'

function topology() {
  const b = new StreamsBuilder()
  b.stream<string, number>('trips', { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() }).groupByKey().count({ storeName: 'trip-counts' })
  return b.build()
}

describe('local store views', () => {
  it('are readable only while the instance runs: retriable while starting or rebalancing, final once closing', () => {
    const retriable: KafkaStreamsState[] = ['CREATED', 'REBALANCING']
    const final: KafkaStreamsState[] = ['PENDING_SHUTDOWN', 'NOT_RUNNING', 'ERROR']
    expect(() => checkQueryable('s', 'RUNNING')).not.toThrow()
    for (const state of retriable) {
      expect(() => checkQueryable('s', state)).toThrow(InvalidStateStoreError)
      expect(() => checkQueryable('s', state)).toThrow(expect.objectContaining({ canRetry: true, code: 'TRIBUTARY_STATE' }))
    }
    for (const state of final) expect(() => checkQueryable('s', state)).toThrow(expect.objectContaining({ canRetry: false, name: 'InvalidStateStoreError' }))
  })

  it('check the state on every read, so a view taken early works once the instance runs', async () => {
    let state: KafkaStreamsState = 'REBALANCING'
    const view = localStoreView(topology(), 'trip-counts', QueryableStoreTypes.keyValueStore<string, number>(), { state: () => state, tasks: () => [] })
    await expect(view.get('ann')).rejects.toSatisfy((e: unknown) => isTributaryError(e, 'TRIBUTARY_STATE'))
    state = 'RUNNING'
    expect(await view.get('ann')).toBeUndefined()
    expect(await view.approximateNumEntries()).toBe(0)
  })

  it('fail with a retriable error while a task holding the store is being restored', async () => {
    let pending = ['0_1']
    const view = localStoreView(topology(), 'trip-counts', QueryableStoreTypes.keyValueStore<string, number>(), {
      state: () => 'RUNNING',
      tasks: () => [],
      pendingTasks: (name) => (name === 'trip-counts' ? pending : []),
    })
    const read = view.get('ann')
    await expect(read).rejects.toBeInstanceOf(InvalidStateStoreError)
    await expect(read).rejects.toMatchObject({ canRetry: true, message: expect.stringContaining('task(s) 0_1') })
    pending = []
    expect(await view.get('ann')).toBeUndefined()
  })

  it('serve a global table while the instance rebalances, as Kafka Streams does, but not before start or once closing', async () => {
    const b = new StreamsBuilder()
    b.globalTable<string, string>('riders', { keySerde: Serdes.string(), valueSerde: Serdes.string(), storeName: 'riders-store' })
    let state: KafkaStreamsState = 'REBALANCING'
    const riders = { get: (key: string) => (key === 'ann' ? { value: 'Ann', timestamp: 1 } : undefined) } as unknown as StateStore
    const view = localStoreView(b.build(), 'riders-store', QueryableStoreTypes.keyValueStore<string, string>(), {
      state: () => state,
      tasks: () => [],
      globalStore: (name) => (name === 'riders-store' ? riders : undefined),
    })
    expect(await view.get('ann')).toBe('Ann')
    state = 'RUNNING'
    expect(await view.get('ann')).toBe('Ann')
    for (const closed of ['CREATED', 'PENDING_SHUTDOWN'] as const) {
      state = closed
      await expect(view.get('ann')).rejects.toBeInstanceOf(InvalidStateStoreError)
    }
  })

  it('reject an unknown store or the wrong type when the view is made', () => {
    const access = { state: (): KafkaStreamsState => 'RUNNING', tasks: () => [] }
    expect(() => localStoreView(topology(), 'trips', QueryableStoreTypes.keyValueStore(), access)).toThrow(ConfigError)
    expect(() => localStoreView(topology(), 'trip-counts', QueryableStoreTypes.windowStore(), access)).toThrow(/QueryableStoreTypes.keyValueStore\(\)/)
  })
})
