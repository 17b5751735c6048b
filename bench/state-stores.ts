/**
 * Throughput of the state stores through all their layers (metered -> caching -> changelogging
 * -> byte store), on the access pattern of an aggregation: `get` then `put` of the same key, with
 * a flush (commit) every 10 000 records. Also plain gets and puts, a windowed count and a session
 * lookup-and-put, to see where the time goes.
 *
 * Run: npx tsc -p tsconfig.build.json --outDir /tmp/tributary-bench && node /tmp/tributary-bench/bench/state-stores.js
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isPromiseLike } from '../src/core/maybe-promise.js'
import { Serdes } from '../src/serde/serdes.js'
import { createKeyValueStore, createSessionStore, createWindowStore } from '../src/state/index.js'
import type { StateStoreContext, StoreSupplierKind } from '../src/state/types.js'

const RECORDS = Number(process.env.RECORDS ?? 500_000)
const KEYS = Number(process.env.KEYS ?? 10_000)
const COMMIT_EVERY = 10_000

interface BenchContext extends StateStoreContext {
  now: number
  logged: number
}

function contextFor(taskDir: string): BenchContext {
  const context: BenchContext = {
    applicationId: 'bench',
    taskId: '0_0',
    taskDir,
    now: 0,
    logged: 0,
    changelog: { topic: 'bench-store-changelog', send: () => void context.logged++ },
    currentStreamTimeMs: () => context.now,
    currentRecordTimestamp: () => context.now,
  }
  return context
}

const keys = Array.from({ length: KEYS }, (_, i) => `driver-${i}`)

async function measure(label: string, run: () => Promise<number>): Promise<void> {
  const started = process.hrtime.bigint()
  const ops = await run()
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  console.log(`${label.padEnd(48)} ${Math.round(ops / seconds).toLocaleString('en-US').padStart(11)} ops/s`)
}

async function keyValue(supplier: StoreSupplierKind, cachingEnabled: boolean, mode: 'aggregate' | 'get' | 'put'): Promise<void> {
  const taskDir = await mkdtemp(join(tmpdir(), 'tributary-bench-'))
  const context = contextFor(taskDir)
  const store = createKeyValueStore<string, number>(
    { name: 'counts', type: 'keyValue', loggingEnabled: true, cachingEnabled },
    { supplier, keySerde: Serdes.string(), valueSerde: Serdes.json<number>() },
  )
  await store.init(context)
  for (const key of keys) await store.put(key, 0)
  await store.flush()
  await measure(`kv ${supplier} ${cachingEnabled ? 'cached' : 'uncached'} ${mode}`, async () => {
    for (let i = 0; i < RECORDS; i++) {
      const key = keys[i % KEYS]!
      context.now = i
      if (mode !== 'put') {
        let current = store.get(key)
        if (isPromiseLike(current)) current = await current
        if (mode === 'aggregate') {
          const put = store.put(key, (current ?? 0) + 1)
          if (isPromiseLike(put)) await put
        }
      } else {
        const put = store.put(key, i)
        if (isPromiseLike(put)) await put
      }
      if (i % COMMIT_EVERY === COMMIT_EVERY - 1) await store.flush()
    }
    await store.flush()
    return RECORDS
  })
  await store.close()
  await rm(taskDir, { recursive: true, force: true })
}

/** A tumbling 60 s count: fetch the window, put it back. One record per ms of event time. */
async function windowCount(supplier: StoreSupplierKind): Promise<void> {
  const taskDir = await mkdtemp(join(tmpdir(), 'tributary-bench-'))
  const context = contextFor(taskDir)
  const store = createWindowStore<string, number>(
    { name: 'windows', type: 'window', retentionMs: 120_000, windowSizeMs: 60_000, loggingEnabled: true, cachingEnabled: true },
    { supplier, keySerde: Serdes.string(), valueSerde: Serdes.json<number>() },
  )
  await store.init(context)
  await measure(`window ${supplier} cached fetch+put (60 s tumbling)`, async () => {
    for (let i = 0; i < RECORDS; i++) {
      const key = keys[i % KEYS]!
      context.now = i
      const start = i - (i % 60_000)
      let current = store.fetch(key, start)
      if (isPromiseLike(current)) current = await current
      const put = store.put(key, (current ?? 0) + 1, start)
      if (isPromiseLike(put)) await put
      if (i % COMMIT_EVERY === COMMIT_EVERY - 1) await store.flush()
    }
    await store.flush()
    return RECORDS
  })
  await store.close()
  await rm(taskDir, { recursive: true, force: true })
}

/** A session aggregate's store work: find the sessions to merge, then put the extended session. */
async function sessionMerge(supplier: StoreSupplierKind): Promise<void> {
  const taskDir = await mkdtemp(join(tmpdir(), 'tributary-bench-'))
  const context = contextFor(taskDir)
  const gap = 300_000
  const store = createSessionStore<string, number>(
    { name: 'sessions', type: 'session', retentionMs: gap, loggingEnabled: true, cachingEnabled: true },
    { supplier, keySerde: Serdes.string(), valueSerde: Serdes.json<number>() },
  )
  await store.init(context)
  const records = Math.min(RECORDS, supplier === 'rocksdb' ? 100_000 : RECORDS)
  await measure(`session ${supplier} cached find+put`, async () => {
    for (let i = 0; i < records; i++) {
      const key = keys[i % KEYS]!
      context.now = i
      let found = store.findSessions(key, i - gap, i + gap)
      if (isPromiseLike(found)) found = await found
      let start = i
      let count = 1
      for (const [session, value] of found) {
        start = Math.min(start, session.window.start)
        count += value
        const removed = store.remove(session)
        if (isPromiseLike(removed)) await removed
      }
      const put = store.put({ key, window: { start, end: i } }, count)
      if (isPromiseLike(put)) await put
      if (i % COMMIT_EVERY === COMMIT_EVERY - 1) await store.flush()
    }
    await store.flush()
    return records
  })
  await store.close()
  await rm(taskDir, { recursive: true, force: true })
}

async function main(): Promise<void> {
  console.log(`${RECORDS.toLocaleString('en-US')} records over ${KEYS.toLocaleString('en-US')} keys, flush every ${COMMIT_EVERY}`)
  const baseline = new Map<string, number>()
  await measure('baseline: JS Map get+set', async () => {
    for (let i = 0; i < RECORDS; i++) {
      const key = keys[i % KEYS]!
      baseline.set(key, (baseline.get(key) ?? 0) + 1)
    }
    return RECORDS
  })
  for (const supplier of ['memory', 'rocksdb'] as const) {
    for (const cached of [false, true]) {
      for (const mode of ['aggregate', 'get', 'put'] as const) await keyValue(supplier, cached, mode)
    }
  }
  for (const supplier of ['memory', 'rocksdb'] as const) await windowCount(supplier)
  for (const supplier of ['memory', 'rocksdb'] as const) await sessionMerge(supplier)
  console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`)
}

await main()
