/**
 * Joins through the TopologyTestDriver on RocksDB stores:
 * - stream-stream: ride requests joined with driver offers of the same zone within 60 s (both
 *   sides buffered in window stores), RECORDS records on each side, interleaved, ~1 ms apart;
 * - stream-table: RECORDS location pings joined with a 100 000-row driver table.
 * Reports records/s (input records of both sides) and peak RSS.
 *
 * Run: npm run build && node dist/bench/join.js [--records 1000000] [--stores rocksdb|memory]
 *      [--join stream-stream|stream-table|both]   (one join alone, e.g. under `node --cpu-prof`)
 *      [--type inner|left|outer]   (the kind of stream-stream join; default inner)
 * (or compile with tsc to a temporary directory, as bench/aggregate.ts explains).
 */
import { loadavg } from 'node:os'
import { JoinWindows } from '../src/dsl/join-windows.js'
import { StreamsBuilder } from '../src/dsl/streams-builder.js'
import { Serdes } from '../src/serde/serdes.js'
import type { StoreSupplierKind } from '../src/state/types.js'
import type { TestRecord } from '../src/testing/test-input-topic.js'
import { TopologyTestDriver } from '../src/testing/topology-test-driver.js'

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback
}

const RECORDS = Number(flag('records', process.env.RECORDS ?? '1000000'))
const STORES = flag('stores', process.env.STORES ?? 'rocksdb') as StoreSupplierKind
const JOIN = flag('join', process.env.JOIN ?? 'both')
const TYPE = flag('type', process.env.TYPE ?? 'inner') as 'inner' | 'left' | 'outer'
const TABLE_ROWS = 100_000
const ZONES = 50_000
const BATCH = 10_000

const str = Serdes.string()
const json = Serdes.json<{ n: number }>()

let seed = 7
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff
  return seed / 0x7fffffff
}

function measure(): { sample(): void; report(name: string, records: number, outputs: number): void } {
  let peakRss = process.memoryUsage().rss
  const start = process.hrtime.bigint()
  return {
    sample() {
      peakRss = Math.max(peakRss, process.memoryUsage().rss)
    },
    report(name, records, outputs) {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9
      const rate = Math.round(records / seconds).toLocaleString('en-US')
      console.log(`${name.padEnd(34)} ${records} records in ${seconds.toFixed(2)} s: ${rate} records/s, ${outputs} results, peak RSS ${Math.round(peakRss / 1_048_576)} MiB`)
    },
  }
}

async function streamStream(): Promise<void> {
  const builder = new StreamsBuilder()
  let outputs = 0
  const requests = builder.stream<string, { n: number }>('requests', { keySerde: str, valueSerde: json })
  const offers = builder.stream<string, { n: number }>('offers', { keySerde: str, valueSerde: json })
  const window = JoinWindows.ofTimeDifferenceAndGrace(60_000, 5_000)
  const sum = (r: { n: number } | null, o: { n: number } | null): number => (r?.n ?? 0) + (o?.n ?? 0)
  const joined = TYPE === 'left' ? requests.leftJoin(offers, sum, window) : TYPE === 'outer' ? requests.outerJoin(offers, sum, window) : requests.join(offers, sum, window)
  joined.foreach(() => {
      outputs++
    })
  const driver = new TopologyTestDriver(builder.build(), { stateStores: STORES, captureChangelogs: false })
  const requestsIn = driver.createInputTopic('requests', str, json)
  const offersIn = driver.createInputTopic('offers', str, json)
  const m = measure()
  for (let sent = 0; sent < RECORDS; sent += BATCH) {
    const left: TestRecord<string, { n: number }>[] = []
    const right: TestRecord<string, { n: number }>[] = []
    for (let i = sent; i < Math.min(RECORDS, sent + BATCH); i++) {
      left.push({ key: `zone-${Math.floor(random() * ZONES)}`, value: { n: i }, timestamp: i })
      right.push({ key: `zone-${Math.floor(random() * ZONES)}`, value: { n: i }, timestamp: i })
    }
    await requestsIn.pipeRecordList(left)
    await offersIn.pipeRecordList(right)
    m.sample()
  }
  await driver.close()
  m.report(`stream-stream ${TYPE} join, 60 s window`, 2 * RECORDS, outputs)
}

async function streamTable(): Promise<void> {
  const builder = new StreamsBuilder()
  let outputs = 0
  const drivers = builder.table<string, { n: number }>('drivers', { keySerde: str, valueSerde: json })
  builder
    .stream<string, { n: number }>('pings', { keySerde: str, valueSerde: json })
    .join(drivers, (p, d) => p.n + d.n)
    .foreach(() => {
      outputs++
    })
  const driver = new TopologyTestDriver(builder.build(), { stateStores: STORES, captureChangelogs: false })
  const tableIn = driver.createInputTopic('drivers', str, json)
  for (let sent = 0; sent < TABLE_ROWS; sent += BATCH) {
    await tableIn.pipeRecordList(Array.from({ length: Math.min(BATCH, TABLE_ROWS - sent) }, (_, i) => ({ key: `driver-${sent + i}`, value: { n: sent + i }, timestamp: 0 })))
  }
  const pingsIn = driver.createInputTopic('pings', str, json)
  const m = measure()
  for (let sent = 0; sent < RECORDS; sent += BATCH) {
    const batch: TestRecord<string, { n: number }>[] = []
    for (let i = sent; i < Math.min(RECORDS, sent + BATCH); i++) batch.push({ key: `driver-${Math.floor(random() * TABLE_ROWS)}`, value: { n: i }, timestamp: i })
    await pingsIn.pipeRecordList(batch)
    m.sample()
  }
  await driver.close()
  m.report('stream-table join, 100k-row table', RECORDS, outputs)
}

console.log(`join bench: ${STORES} stores, ${RECORDS} records per input, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
if (JOIN !== 'stream-table') await streamStream()
if (JOIN !== 'stream-stream') await streamTable()
