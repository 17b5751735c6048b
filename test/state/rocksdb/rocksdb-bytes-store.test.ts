import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RocksDbBytesStore } from '../../../src/state/rocksdb/rocksdb-bytes-store.js'
import { collect, TempDirs, TestStoreContext } from '../fixtures.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())
const b = (s: string): Buffer => Buffer.from(s)

async function open(name = 's') {
  const taskDir = await dirs.make()
  const store = new RocksDbBytesStore(name)
  await store.init(new TestStoreContext(taskDir))
  return { store, taskDir }
}

describe('RocksDbBytesStore', () => {
  it('lives in <taskDir>/rocksdb/<storeName>', async () => {
    const { store, taskDir } = await open('counts')
    expect(store.location).toBe(join(taskDir, 'rocksdb', 'counts'))
    await store.close()
  })

  it('reads its own writes before the database acknowledges them', async () => {
    const { store } = await open()
    store.put(b('a'), b('1'))
    store.put(b('b'), b('2'))
    store.put(b('a'), b('3'))
    expect(await store.get(b('a'))).toEqual(b('3'))
    store.put(b('b'), null)
    expect(await store.get(b('b'))).toBeUndefined()
    expect((await store.scan(undefined, undefined)).map((e) => `${e.key}=${e.value}`)).toEqual(['a=3'])
    await store.flush()
    expect((await store.scan(undefined, undefined)).map((e) => `${e.key}=${e.value}`)).toEqual(['a=3'])
    await store.close()
  })

  it('lands concurrent writes of one key in the order they were made', async () => {
    const { store } = await open()
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 50; i++) {
        if (i % 7 === 3) store.putAll([{ key: b('k'), value: b(`${round}-${i}`), timestamp: 0 }])
        else store.put(b('k'), b(`${round}-${i}`))
      }
      store.put(b('gone'), b('x'))
      store.put(b('gone'), null)
      await store.flush()
      expect((await store.scan(undefined, undefined)).map((e) => `${e.key}=${e.value}`)).toEqual([`k=${round}-49`])
    }
    await store.close()
  })

  it('reports a write that failed on the next operation and on flush, and loses no later write', async () => {
    const { store } = await open()
    const db = (store as unknown as { db: { put: (k: Buffer, v: Buffer | null) => Promise<void> } }).db
    const realPut = db.put.bind(db)
    db.put = () => Promise.reject(new Error('IO error: No space left on device'))
    store.put(b('a'), b('1'))
    db.put = realPut
    await expect(store.flush()).rejects.toMatchObject({ code: 'TRIBUTARY_STATE', message: expect.stringContaining('No space left') })
    store.put(b('b'), b('2'))
    await store.flush()
    expect(await store.get(b('a'))).toBeUndefined()
    expect(await store.get(b('b'))).toEqual(b('2'))
    db.put = () => Promise.reject(new Error('IO error'))
    store.put(b('c'), b('3'))
    db.put = realPut
    await new Promise((resolve) => setImmediate(resolve)) // let the rejected write settle
    expect(() => store.get(b('b'))).toThrow(/failed/)
    await store.close()
  })

  it('writes batches and scans bounded ranges in key order', async () => {
    const { store } = await open()
    await store.putAll(['d', 'a', 'c', 'b'].map((k) => ({ key: b(k), value: b(k.toUpperCase()), timestamp: 0 })))
    expect((await store.scan(b('b'), b('c'))).map((e) => e.key.toString())).toEqual(['b', 'c'])
    expect((await collect(store.iterate(undefined, undefined))).map((e) => e.value.toString())).toEqual(['A', 'B', 'C', 'D'])
    expect(await store.scan(b('c'), b('b'))).toEqual([])
    await store.close()
  })

  it('ends iterators left open when it closes, then refuses use', async () => {
    const { store } = await open()
    await store.putAll([
      { key: b('a'), value: b('1'), timestamp: 0 },
      { key: b('b'), value: b('2'), timestamp: 0 },
    ])
    const iterator = store.iterate(undefined, undefined)
    expect((await iterator.next()).value?.key).toEqual(b('a'))
    await store.close()
    expect(() => store.get(b('a'))).toThrow(expect.objectContaining({ code: 'TRIBUTARY_STATE' }))
  })

  it('explains a directory it cannot create', async () => {
    const taskDir = await dirs.make()
    await writeFile(join(taskDir, 'rocksdb'), 'not a directory')
    const store = new RocksDbBytesStore('s')
    await expect(store.init(new TestStoreContext(taskDir))).rejects.toThrow(/Check that stateDir is writable/)
  })
})
