import { describe, expect, it } from 'vitest'
import { ChangeloggingBytesStore } from '../../../src/state/layers/changelogging.js'
import { MemoryBytesStore } from '../../../src/state/memory/memory-bytes-store.js'
import { TestStoreContext } from '../fixtures.js'

const b = (s: string): Buffer => Buffer.from(s)

describe('ChangeloggingBytesStore', () => {
  it('logs puts with the current record time and batches with their own times', async () => {
    const context = new TestStoreContext('/nonexistent')
    const store = new ChangeloggingBytesStore(new MemoryBytesStore('s'))
    await store.init(context)
    context.recordTime = 10
    await store.put(b('a'), b('1'))
    await store.put(b('a'), null)
    await store.putAll([{ key: b('b'), value: b('2'), timestamp: 3 }])
    expect(context.logged.map((c) => [c.key.toString(), c.value?.toString() ?? null, c.timestamp])).toEqual([
      ['a', '1', 10],
      ['a', null, 10],
      ['b', '2', 3],
    ])
    expect(store.changelogTopic).toBe('app-store-changelog')
    expect(await store.get(b('b'))).toEqual(b('2'))
  })

  it('does not log restored records, nor anything when the task gives it no changelog', async () => {
    const context = new TestStoreContext('/nonexistent', false)
    const store = new ChangeloggingBytesStore(new MemoryBytesStore('s'))
    await store.init(context)
    await store.put(b('a'), b('1'))
    await store.restore([{ key: b('c'), value: b('3') }])
    expect(context.logged).toEqual([])
    expect(await store.get(b('c'))).toEqual(b('3'))

    const logging = new TestStoreContext('/nonexistent')
    const other = new ChangeloggingBytesStore(new MemoryBytesStore('t'))
    await other.init(logging)
    await other.restore([{ key: b('c'), value: b('3') }])
    expect(logging.logged).toEqual([])
  })
})
