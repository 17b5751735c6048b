/**
 * Memory of the record cache over a long run: real tasks of the engine (RocksDB stores, changelogs
 * written to a collector that drops them) run a count and a one-minute windowed count per key over
 * many partitions and a key space far larger than the cache, committing every 10 000 records, as an
 * instance would. The resident set size is sampled as the run goes: with one budget shared by every
 * task's caching stores (`cacheMaxBytes`) it must level off, whatever the number of tasks and stores.
 *
 * Run: npm run bench:cache [-- --records 3000000 --keys 1000000 --partitions 8 --cache-mb 10]
 * (`--cache-mb 0`: no record cache; add `--per-store-caches true` for a 10 MiB cache per store).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isPromiseLike } from '../src/core/maybe-promise.js'
import type { RawRecord } from '../src/core/topic-partition.js'
import { StreamsBuilder, TimeWindows } from '../src/dsl/index.js'
import { StateDirectory, StreamTask, tasksForTopology, type CollectedRecord, type RecordWriter } from '../src/engine/index.js'
import { Serdes } from '../src/serde/serdes.js'
import { CacheBudget } from '../src/state/index.js'

const args = new Map<string, string>()
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '')
const RECORDS = Number(args.get('records') ?? 3_000_000)
const KEYS = Number(args.get('keys') ?? 1_000_000)
const PARTITIONS = Number(args.get('partitions') ?? 8)
const CACHE_MB = Number(args.get('cache-mb') ?? 10)
const COMMIT_EVERY = 10_000
const SAMPLES = 20

/** Counts what the tasks write and drops it: outputs and changelogs leave the process in a real run. */
class DroppingWriter implements RecordWriter {
  outputs = 0
  changelog = 0
  send(record: CollectedRecord): void {
    if (record.topic.endsWith('-changelog')) this.changelog++
    else this.outputs++
  }
  lastAckedOffset(): bigint | undefined {
    return undefined
  }
}

function topology() {
  const b = new StreamsBuilder()
  const grouped = b.stream<string, string>('pings', { keySerde: Serdes.string(), valueSerde: Serdes.string() }).groupByKey()
  grouped.count({ storeName: 'counts' }).toStream().to('counts-out', { keySerde: Serdes.string(), valueSerde: Serdes.json() })
  grouped
    .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
    .count({ storeName: 'minute-counts' })
    .toStream()
    .to('minute-counts-out', { keySerde: Serdes.json(), valueSerde: Serdes.json() })
  return b.build()
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0)

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-cache-bench-'))
  const writer = new DroppingWriter()
  const budget = CACHE_MB > 0 ? new CacheBudget(CACHE_MB * 1024 * 1024) : undefined
  // As KafkaStreams does with cacheMaxBytes 0: the write-behind caches share the default budget;
  // --per-store-caches gives each store its own 10 MiB, as every store had before.
  const writeCache = budget === undefined && !args.has('per-store-caches') ? new CacheBudget() : undefined
  const built = topology()
  const specs = tasksForTopology(built, 'bench', new Map([['pings', PARTITIONS]]))
  const tasks: StreamTask[] = []
  for (const spec of specs) {
    const task = new StreamTask(built, spec, {
      applicationId: 'bench',
      stateDirectory: new StateDirectory(dir, 'bench'),
      writer,
      storeSupplier: 'rocksdb',
      defaultSerdes: { keySerde: Serdes.json(), valueSerde: Serdes.json() },
      ...(budget === undefined ? {} : { recordCache: budget }),
      ...(writeCache === undefined ? {} : { writeCache }),
    })
    await task.initializeStores()
    await task.completeRestoration()
    tasks.push(task)
  }
  console.log(`record cache ${CACHE_MB} MiB shared by ${tasks.length} tasks x 2 stores; ${RECORDS.toLocaleString('en-US')} records over ${KEYS.toLocaleString('en-US')} keys`)
  console.log('records    rss MiB  heap MiB  cache MiB  outputs     changelog')
  const offsets = new Array<number>(PARTITIONS).fill(0)
  const value = Buffer.from('ping')
  let peak = 0
  const started = Date.now()
  for (let i = 0; i < RECORDS; i++) {
    // Keys spread over the key space with a hot set, one ping per second of event time.
    const k = i % 3 === 0 ? (i * 7919) % 1000 : (i * 104_729) % KEYS
    const partition = k % PARTITIONS
    const record: RawRecord = { topic: 'pings', partition, offset: BigInt(offsets[partition]!++), key: Buffer.from(`driver-${k}`), value, timestamp: i * 10, headers: [] }
    const task = tasks[partition]!
    const added = task.addRecords([record])
    if (isPromiseLike(added)) await added
    for (;;) {
      const more = task.process(0)
      if (!(isPromiseLike(more) ? await more : more)) break
    }
    if ((i + 1) % COMMIT_EVERY === 0) {
      for (const t of tasks) {
        if (!t.needsCommit()) continue
        await t.prepareCommit()
        t.postCommit(false)
      }
    }
    if ((i + 1) % Math.floor(RECORDS / SAMPLES) === 0) {
      const usage = process.memoryUsage()
      peak = Math.max(peak, usage.rss)
      const cached = budget ?? writeCache
      const line = [String(i + 1).padStart(9), mb(usage.rss).padStart(8), mb(usage.heapUsed).padStart(9), (cached === undefined ? '-' : (cached.usedBytes / 1024 / 1024).toFixed(1)).padStart(10), String(writer.outputs).padStart(11), String(writer.changelog).padStart(13)]
      console.log(line.join('  '))
    }
  }
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; peak rss ${mb(peak)} MiB`)
  for (const task of tasks) await task.close({ clean: true })
  rmSync(dir, { recursive: true, force: true })
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
