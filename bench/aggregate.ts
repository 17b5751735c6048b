/**
 * Aggregations through the TopologyTestDriver on RocksDB stores: a 60 s tumbling count and a 5 min
 * session aggregate over generated ride events (10 000 drivers, about one event per ms). Reports
 * records/s and peak RSS. Input is piped in lists of COMMIT_EVERY records; the driver commits
 * (flushes the store caches to RocksDB and the changelog) after each list.
 *
 * Run: npx tsc -p tsconfig.build.json --outDir /tmp/tributary-bench && ln -sfn "$PWD/node_modules" /tmp/tributary-bench/node_modules
 *      && node /tmp/tributary-bench/bench/aggregate.js   (or `npm run build && node dist/bench/aggregate.js`)
 * Options (env): RECORDS (default 1 000 000), KEYS (10 000), STORES (rocksdb | memory), COMMIT_EVERY
 * (records per piped list, i.e. per commit; default 10 000).
 * The machine's load average is printed too: on a shared machine it explains most of the variance.
 */
import { loadavg } from 'node:os'
import { StreamsBuilder } from '../src/dsl/streams-builder.js'
import { SessionWindows, TimeWindows } from '../src/dsl/windows.js'
import { Serdes } from '../src/serde/serdes.js'
import type { StoreSupplierKind } from '../src/state/types.js'
import { TopologyTestDriver } from '../src/testing/topology-test-driver.js'
import type { TestRecord } from '../src/testing/test-input-topic.js'
import type { Topology } from '../src/topology/topology.js'

const RECORDS = Number(process.env.RECORDS ?? 1_000_000)
const KEYS = Number(process.env.KEYS ?? 10_000)
const STORES = (process.env.STORES ?? 'rocksdb') as StoreSupplierKind
const BATCH = Number(process.env.COMMIT_EVERY ?? 10_000)

interface RideEvent {
  readonly km: number
}

const keySerde = Serdes.string()
const valueSerde = Serdes.json<RideEvent>()

function tumblingCount(): Topology {
  const builder = new StreamsBuilder()
  builder.stream<string, RideEvent>('rides', { keySerde, valueSerde }).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count({ storeName: 'rides-per-minute' })
  return builder.build()
}

function sessionDistance(): Topology {
  const builder = new StreamsBuilder()
  builder
    .stream<string, RideEvent>('rides', { keySerde, valueSerde })
    .groupByKey()
    .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5 * 60_000))
    .aggregate(() => 0, (_driver, event, km) => km + event.km, (_driver, a, b) => a + b, { storeName: 'km-per-shift', valueSerde: Serdes.json<number>() })
  return builder.build()
}

/** Batches of events: random drivers, timestamps about 1 ms apart. */
function* batches(): Generator<TestRecord<string, RideEvent>[]> {
  let seed = 42
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff
    return seed / 0x7fffffff
  }
  const keys = Array.from({ length: KEYS }, (_, i) => `driver-${i}`)
  let batch: TestRecord<string, RideEvent>[] = []
  for (let i = 0; i < RECORDS; i++) {
    batch.push({ key: keys[Math.floor(random() * KEYS)] as string, value: { km: Math.round(random() * 100) / 10 }, timestamp: i })
    if (batch.length === BATCH) {
      yield batch
      batch = []
    }
  }
  if (batch.length > 0) yield batch
}

async function run(name: string, topology: Topology): Promise<void> {
  // Changelogs are written (the layer runs) but not kept: nobody reads them here.
  const driver = new TopologyTestDriver(topology, { stateStores: STORES, captureChangelogs: false })
  const input = driver.createInputTopic('rides', keySerde, valueSerde)
  let peakRss = process.memoryUsage().rss
  const start = process.hrtime.bigint()
  for (const batch of batches()) {
    await input.pipeRecordList(batch)
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  await driver.close()
  const rate = Math.round(RECORDS / seconds)
  console.log(`${name.padEnd(28)} ${RECORDS} records in ${seconds.toFixed(2)} s: ${rate.toLocaleString('en-US')} records/s, peak RSS ${Math.round(peakRss / 1_048_576)} MiB`)
}

console.log(`aggregate bench: ${STORES} stores, ${KEYS} keys, commit every ${BATCH} records, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
await run('tumbling 60 s count', tumblingCount())
await run('session 5 min aggregate', sessionDistance())
