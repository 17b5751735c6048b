import { describe, expect, it } from 'vitest'
import type { OutgoingRecord, RecordAck } from '../../src/kafka/types.js'
import { KafkaRecordWriter, type RecordSink } from '../../src/runtime/kafka-services.js'
import type { CollectedRecord } from '../../src/engine/types.js'

/** A sink whose sends are answered when the test says so, assigning offsets per partition. */
class ControlledSink implements RecordSink {
  readonly sends: OutgoingRecord[][] = []
  readonly ends = new Map<string, bigint>()
  private readonly waiting: { resolve: () => void; reject: (error: unknown) => void }[] = []
  autoAnswer = false

  async send(records: readonly OutgoingRecord[]): Promise<RecordAck[]> {
    this.sends.push([...records])
    if (!this.autoAnswer) await new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }))
    const acks = new Map<string, RecordAck>()
    for (const r of records) {
      const partition = r.partition ?? 0
      const key = `${r.topic}-${partition}`
      const offset = this.ends.get(key) ?? 0n
      this.ends.set(key, offset + 1n)
      if (!acks.has(key)) acks.set(key, { topic: r.topic, partition, offset })
    }
    return [...acks.values()]
  }

  async flush(): Promise<void> {}

  inFlight(): number {
    return this.waiting.length
  }

  answer(): void {
    this.waiting.shift()?.resolve()
  }

  fail(error: unknown): void {
    this.waiting.shift()?.reject(error)
  }
}

const record = (value: string, partition?: number): CollectedRecord => ({
  topic: partition === undefined ? 'rides-out' : 'app-store-changelog',
  ...(partition === undefined ? {} : { partition }),
  key: Buffer.from(value),
  value: Buffer.from(value),
  timestamp: 1,
  headers: {},
})

const values = (records: readonly OutgoingRecord[]): string[] => records.map((r) => r.value?.toString() ?? 'null')
const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('KafkaRecordWriter', () => {
  it('starts a send as soon as a batch is full, without waiting for a flush', () => {
    const sink = new ControlledSink()
    const collector = new KafkaRecordWriter(sink, { batchRecords: 2, lingerMs: 60_000 })
    collector.send(record('a'))
    expect(sink.sends).toHaveLength(0)
    collector.send(record('b'))
    expect(sink.sends.map(values)).toEqual([['a', 'b']])
    expect(collector.pendingRecords()).toBe(0)
    sink.answer()
  })

  it('sends a smaller batch once it has lingered', async () => {
    const sink = new ControlledSink()
    sink.autoAnswer = true
    const collector = new KafkaRecordWriter(sink, { batchRecords: 1_000, lingerMs: 1 })
    collector.send(record('a'))
    collector.send(record('b'))
    for (let i = 0; i < 100 && sink.sends.length === 0; i++) await tick(5)
    expect(sink.sends.map(values)).toEqual([['a', 'b']])
  })

  it('keeps one send in flight and sends what was collected meanwhile when it is answered', async () => {
    const sink = new ControlledSink()
    const collector = new KafkaRecordWriter(sink, { batchRecords: 1, lingerMs: 60_000 })
    collector.send(record('a'))
    collector.send(record('b'))
    collector.send(record('c'))
    expect(sink.sends.map(values)).toEqual([['a']])
    sink.answer()
    await tick()
    expect(sink.sends.map(values)).toEqual([['a'], ['b', 'c']])
    sink.answer()
  })

  it('flush sends what is left and resolves only once every send is acknowledged', async () => {
    const sink = new ControlledSink()
    const collector = new KafkaRecordWriter(sink, { batchRecords: 2, lingerMs: 60_000 })
    collector.send(record('a', 0))
    collector.send(record('b', 0))
    collector.send(record('c', 0))
    let flushed = false
    const flushing = collector.flush().then(() => {
      flushed = true
    })
    await tick()
    expect(flushed).toBe(false)
    sink.answer()
    await tick()
    expect(sink.sends.map(values)).toEqual([['a', 'b'], ['c']])
    expect(flushed).toBe(false)
    sink.answer()
    await flushing
    // The changelog's last written offset comes from the acks of both sends.
    expect(collector.lastAckedOffset('app-store-changelog', 0)).toBe(2n)
  })

  it('fails every flush after a failed background send and sends nothing more until discarded', async () => {
    const sink = new ControlledSink()
    const collector = new KafkaRecordWriter(sink, { batchRecords: 1, lingerMs: 60_000 })
    collector.send(record('a', 0))
    sink.fail(new Error('NOT_LEADER_OR_FOLLOWER'))
    await tick()
    collector.send(record('b', 0))
    expect(sink.sends.map(values)).toEqual([['a']])
    await expect(collector.flush()).rejects.toThrow('NOT_LEADER_OR_FOLLOWER')
    await expect(collector.flush()).rejects.toThrow('NOT_LEADER_OR_FOLLOWER')
    expect(sink.sends).toHaveLength(1)
    expect(collector.lastAckedOffset('app-store-changelog', 0)).toBeUndefined()

    collector.discard()
    sink.autoAnswer = true
    collector.send(record('c', 0))
    await collector.flush()
    expect(sink.sends.map(values)).toEqual([['a'], ['c']])
    expect(collector.lastAckedOffset('app-store-changelog', 0)).toBe(0n)
  })

  it('does not let a send abandoned by discard fail or checkpoint the work after it', async () => {
    const sink = new ControlledSink()
    const collector = new KafkaRecordWriter(sink, { batchRecords: 1, lingerMs: 60_000 })
    collector.send(record('old', 0))
    collector.discard()
    collector.send(record('new', 0))
    const flushing = collector.flush()
    sink.fail(new Error('abandoned send failed'))
    await tick()
    expect(sink.sends.map(values)).toEqual([['old'], ['new']])
    sink.answer()
    await flushing
    expect(collector.lastAckedOffset('app-store-changelog', 0)).toBe(0n)
  })
})
