import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isTributaryError } from '../../src/core/errors.js'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { OffsetOutOfRangeError } from '../../src/kafka/errors.js'
import type { KafkaReader, RawRecord, TopicPartition } from '../../src/kafka/types.js'
import { DEAD_LETTER_HEADERS } from '../../src/engine/dead-letter.js'
import type { ProcessingExceptionHandler } from '../../src/engine/exception-handlers.js'
import { GlobalStateManager } from '../../src/runtime/global-state-manager.js'
import { StateDirectory } from '../../src/engine/state-directory.js'
import type { DeserializationExceptionHandler } from '../../src/engine/exception-handlers.js'
import { Serdes } from '../../src/serde/serdes.js'
import type { KeyValueStore, StoreSupplierKind } from '../../src/state/types.js'
import type { ValueAndTimestamp } from '../../src/processors/value-and-timestamp.js'
import { defaultSerdes, FakeCollector, raw, tempDir } from './fixtures.js'

const APP = 'app'
const TOPIC = 'riders'

/** A log per partition of the global topic, read by explicit offsets in batches of two records. */
class FakeReader implements KafkaReader {
  readonly logs: RawRecord[][] = [[], []]
  readonly logStart = [0n, 0n]
  recordsRead = 0
  closed = false

  append(partition: number, key: string, value: string | null, timestamp = 1): void {
    const log = this.logs[partition] as RawRecord[]
    log.push(raw(TOPIC, partition, Number(this.logStart[partition]) + log.length, key, value, timestamp))
  }

  async endOffset({ partition }: TopicPartition): Promise<bigint> {
    return (this.logStart[partition] as bigint) + BigInt((this.logs[partition] as RawRecord[]).length)
  }

  async startOffset({ partition }: TopicPartition): Promise<bigint> {
    return this.logStart[partition] as bigint
  }

  async readRange(tp: TopicPartition, from: bigint, to: bigint, onBatch: (records: RawRecord[]) => void | Promise<void>): Promise<bigint> {
    if (from < (this.logStart[tp.partition] as bigint)) throw new OffsetOutOfRangeError(tp.topic, tp.partition, from)
    const records = (this.logs[tp.partition] as RawRecord[]).filter((r) => r.offset >= from && r.offset < to)
    for (let i = 0; i < records.length; i += 2) {
      const batch = records.slice(i, i + 2)
      this.recordsRead += batch.length
      await onBatch(batch)
    }
    return to
  }

  async close(): Promise<void> {
    this.closed = true
  }
}

function dispatchTopology() {
  const b = new StreamsBuilder()
  const riders = b.globalTable<string, { name: string }>(TOPIC, { keySerde: Serdes.string(), valueSerde: Serdes.json<{ name: string }>(), storeName: 'riders-store' })
  b.stream<string, string>('rides', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .join(riders, (_k, rider) => rider, (ride, rider) => `${ride}:${rider.name}`)
    .to('out')
  return b.build()
}

interface Options {
  readonly supplier?: StoreSupplierKind
  readonly deserialization?: DeserializationExceptionHandler
  readonly processing?: ProcessingExceptionHandler
}

describe('GlobalStateManager', () => {
  let dir: { path: string; remove(): void }
  const open: GlobalStateManager[] = []
  beforeEach(() => {
    dir = tempDir()
  })
  afterEach(async () => {
    for (const manager of open.splice(0)) await manager.close(false)
    dir.remove()
  })

  function manager(reader: FakeReader, options: Options = {}) {
    const collector = new FakeCollector()
    const global = new GlobalStateManager({
      topology: dispatchTopology(),
      applicationId: APP,
      stateDirectory: new StateDirectory(dir.path, APP),
      reader,
      partitionCounts: new Map([[TOPIC, 2]]),
      collector,
      storeSupplier: options.supplier ?? 'rocksdb',
      defaultSerdes,
      deserializationExceptionHandler: options.deserialization ?? 'fail',
      processingExceptionHandler: options.processing ?? 'fail',
      updateIntervalMs: 0,
    })
    open.push(global)
    return { global, collector }
  }

  async function names(global: GlobalStateManager): Promise<Record<string, string>> {
    const store = global.store('riders-store') as KeyValueStore<string, ValueAndTimestamp<{ name: string }>>
    const out: Record<string, string> = {}
    for await (const [key, value] of store.all()) out[key] = value.value.name
    return out
  }

  const json = (name: string) => JSON.stringify({ name })

  it('bootstraps every partition before start() resolves, then follows updates and deletes', async () => {
    const reader = new FakeReader()
    reader.append(0, 'r1', json('Ann'))
    reader.append(1, 'r2', json('Bob'))
    reader.append(1, 'r3', json('Cyd'))
    const { global } = manager(reader)
    await global.start()
    expect(await names(global)).toEqual({ r1: 'Ann', r2: 'Bob', r3: 'Cyd' })
    expect(global.positions()).toEqual([
      { topic: TOPIC, partition: 0, offset: 1n },
      { topic: TOPIC, partition: 1, offset: 2n },
    ])

    reader.append(0, 'r1', json('Ann B.'))
    reader.append(1, 'r2', null)
    await global.update()
    expect(await names(global)).toEqual({ r1: 'Ann B.', r3: 'Cyd' })
    expect(global.metrics()).toMatchObject({ processed: 5 })
    // No stores other than the global ones; the topic is its changelog, so the store has no changelog sink.
    expect(global.store('nope')).toBeUndefined()
  })

  it('checkpoints on commit and clean close, and a restart reads only what came after the checkpoint', async () => {
    const reader = new FakeReader()
    for (let i = 0; i < 6; i++) reader.append(i % 2, `r${i}`, json(`Rider ${i}`))
    const first = manager(reader).global
    await first.start()
    expect(existsSync(join(dir.path, APP, 'global', '.checkpoint'))).toBe(true)
    reader.append(0, 'r6', json('Rider 6'))
    await first.update()
    await first.close(true)
    expect(reader.closed).toBe(false) // the reader belongs to whoever made it

    reader.append(1, 'r7', json('Rider 7'))
    reader.recordsRead = 0
    const second = manager(reader).global
    await second.start()
    expect(reader.recordsRead).toBe(1)
    expect(Object.keys(await names(second)).sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'])
  })

  it('reads everything again with in-memory stores (nothing to checkpoint)', async () => {
    const reader = new FakeReader()
    reader.append(0, 'r1', json('Ann'))
    const first = manager(reader, { supplier: 'memory' }).global
    await first.start()
    await first.close(true)
    reader.recordsRead = 0
    const second = manager(reader, { supplier: 'memory' }).global
    await second.start()
    expect(reader.recordsRead).toBe(1)
    expect(await names(second)).toEqual({ r1: 'Ann' })
  })

  it('wipes the local copy when the checkpoint is past the end of the topic (recreated)', async () => {
    const reader = new FakeReader()
    reader.append(0, 'old', json('Old'))
    reader.append(0, 'old2', json('Old 2'))
    const first = manager(reader).global
    await first.start()
    await first.close(true)
    const recreated = new FakeReader()
    recreated.append(0, 'new', json('New'))
    const second = manager(recreated).global
    await second.start()
    expect(await names(second)).toEqual({ new: 'New' })
  })

  it('continues from the log start when the records below its position were deleted', async () => {
    const reader = new FakeReader()
    reader.append(0, 'a', json('A'))
    const first = manager(reader).global
    await first.start()
    await first.close(true)
    // Offsets 1-2 were written and deleted while the instance was down.
    reader.logStart[0] = 3n
    reader.logs[0] = []
    reader.append(0, 'b', json('B'))
    const second = manager(reader).global
    await second.start()
    expect(await names(second)).toEqual({ a: 'A', b: 'B' })
    expect(second.positions()[0]?.offset).toBe(4n)
  })

  it('applies the deserialization handler to global records: fail, continue, dead letter', async () => {
    const reader = new FakeReader()
    reader.append(0, 'r1', json('Ann'))
    reader.append(0, 'r2', '{broken')
    reader.append(0, 'r3', json('Cyd'))

    const failing = manager(reader).global
    const error = await failing.start().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isTributaryError(error, 'TRIBUTARY_SERDE')).toBe(true)
    expect((error as Error).message).toContain(`${TOPIC}-0@1`)
    expect(failing.store('riders-store')).toBeUndefined()

    const skipping = manager(reader, { deserialization: 'continue' }).global
    await skipping.start()
    expect(await names(skipping)).toEqual({ r1: 'Ann', r3: 'Cyd' })
    expect(skipping.metrics()).toMatchObject({ processed: 2, skipped: 1 })
    await skipping.close(false)

    // In memory, so that the checkpoint the previous run wrote after its bootstrap does not apply.
    const { global, collector } = manager(reader, { supplier: 'memory', deserialization: { deadLetterTopic: 'riders-dlq' } })
    await global.start()
    const [dead, ...more] = collector.recordsOf('riders-dlq')
    expect(more).toHaveLength(0)
    expect(dead?.value).toEqual(Buffer.from('{broken'))
    expect(dead?.headers[DEAD_LETTER_HEADERS.topic]?.toString()).toBe(TOPIC)
    expect(dead?.headers[DEAD_LETTER_HEADERS.offset]?.toString()).toBe('1')
  })

  it('refuses to start twice on one state directory (the global directory is locked)', async () => {
    const reader = new FakeReader()
    await manager(reader).global.start()
    await expect(manager(reader).global.start()).rejects.toThrow(/already open in this process/)
  })
})
