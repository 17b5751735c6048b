import { afterEach, describe, expect, it } from 'vitest'
import { isPromiseLike } from '../../../src/core/maybe-promise.js'
import type { Serde } from '../../../src/serde/serde.js'
import { Serdes } from '../../../src/serde/serdes.js'
import { createKeyValueStore, isRestorableStore } from '../../../src/state/index.js'
import { collect, TempDirs, TestStoreContext } from '../fixtures.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

/** A serde that answers its first call later, as a registry serde does on a schema cache miss. */
function slowFirst<T>(inner: Serde<T>): Serde<T> & { slowCalls: number } {
  let warmed = false
  const serde = {
    slowCalls: 0,
    serialize: (value: T, context: Parameters<Serde<T>['serialize']>[1]) => {
      const bytes = inner.serialize(value, context)
      if (warmed) return bytes
      warmed = true
      serde.slowCalls++
      return Promise.resolve(bytes)
    },
    deserialize: (data: Buffer, context: Parameters<Serde<T>['deserialize']>[1]) => inner.deserialize(data, context),
  }
  return serde
}

describe('MeteredKeyValueStore', () => {
  it('waits for a serde that answers later, then runs synchronously again', async () => {
    const keySerde = slowFirst(Serdes.string())
    const store = createKeyValueStore<string, number>(
      { name: 'counts', type: 'keyValue', loggingEnabled: false, cachingEnabled: true },
      { supplier: 'memory', keySerde, valueSerde: Serdes.json<number>() },
    )
    await store.init(new TestStoreContext(await dirs.make(), false))
    const first = store.put('a', 1)
    expect(isPromiseLike(first)).toBe(true)
    await first
    expect(keySerde.slowCalls).toBe(1)
    expect(store.get('a')).toBe(1)
    expect(isPromiseLike(store.put('b', 2))).toBe(false)
    expect(await collect(store.all())).toEqual([
      ['a', 1],
      ['b', 2],
    ])
    expect(isRestorableStore(store)).toBe(true)
    await store.close()
  })

  it('names the changelog topic in the serde context, as registry serdes expect', async () => {
    const topics: string[] = []
    const valueSerde: Serde<number> = {
      serialize: (value, context) => {
        topics.push(`${context.topic}:${context.isKey ? 'key' : 'value'}`)
        return Buffer.from(String(value))
      },
      deserialize: (data) => Number(data.toString()),
    }
    const store = createKeyValueStore<string, number>(
      { name: 'counts', type: 'keyValue', loggingEnabled: true, cachingEnabled: false },
      { supplier: 'memory', keySerde: Serdes.string(), valueSerde },
    )
    await store.init(new TestStoreContext(await dirs.make(), false))
    await store.put('a', 1)
    expect(topics).toEqual(['app-counts-changelog:value'])
    await store.close()
  })
})
