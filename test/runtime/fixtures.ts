import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jsonSerde } from '../../src/serde/primitive.js'
import type { DefaultSerdes } from '../../src/topology/types.js'
import type { ChangelogEntry, ChangelogReader, CollectedRecord, RawHeader, RawRecord, RecordWriter } from '../../src/engine/index.js'

export const STORE_SUPPLIERS = ['memory', 'rocksdb'] as const

export const defaultSerdes: DefaultSerdes = { keySerde: jsonSerde(), valueSerde: jsonSerde() }

/** A written record with the offset the fake "broker" gave it. */
export interface WrittenRecord extends CollectedRecord {
  readonly partition: number
  readonly offset: bigint
}

/**
 * A collector that keeps sends pending until `flush()`, like a producer whose acks arrive later:
 * only flushed records have offsets (and count for checkpoints).
 */
export class FakeCollector implements RecordWriter {
  readonly pending: CollectedRecord[] = []
  readonly written: WrittenRecord[] = []
  private readonly ends = new Map<string, bigint>()

  send(record: CollectedRecord): void {
    this.pending.push(record)
  }

  flush(): void {
    for (const record of this.pending.splice(0)) {
      const partition = record.partition ?? 0
      const key = `${record.topic}/${partition}`
      const offset = this.ends.get(key) ?? 0n
      this.ends.set(key, offset + 1n)
      this.written.push({ ...record, partition, offset })
    }
  }

  lastAckedOffset(topic: string, partition: number): bigint | undefined {
    const end = this.ends.get(`${topic}/${partition}`)
    return end === undefined ? undefined : end - 1n
  }

  /** Flushed and pending records of a topic, in send order. */
  recordsOf(topic: string): CollectedRecord[] {
    return [...this.written, ...this.pending].filter((r) => r.topic === topic)
  }
}

/** A reader over a fixed set of partitions (e.g. what a FakeCollector wrote), counting its reads. */
export class FakeChangelogReader implements ChangelogReader {
  reads = 0
  /** Called after each read: a test can delete records mid-restore here. */
  onRead: ((topic: string, partition: number, entries: readonly ChangelogEntry[]) => void) | undefined
  private readonly logs = new Map<string, ChangelogEntry[]>()
  private readonly starts = new Map<string, bigint>()

  constructor(records: readonly { topic: string; partition: number; offset: bigint; key: Buffer | null; value: Buffer | null; timestamp: number }[]) {
    for (const r of records) {
      const key = `${r.topic}/${r.partition}`
      const log = this.logs.get(key) ?? []
      log.push({ offset: r.offset, key: r.key, value: r.value, timestamp: r.timestamp })
      this.logs.set(key, log)
    }
  }

  async endOffset(topic: string, partition: number): Promise<bigint> {
    const log = this.logs.get(`${topic}/${partition}`)
    return log === undefined || log.length === 0 ? 0n : (log[log.length - 1] as ChangelogEntry).offset + 1n
  }

  /** Deletes the records below `offset`, as retention or DeleteRecords would. */
  truncate(topic: string, partition: number, offset: bigint): void {
    this.starts.set(`${topic}/${partition}`, offset)
    this.logs.set(`${topic}/${partition}`, (this.logs.get(`${topic}/${partition}`) ?? []).filter((e) => e.offset >= offset))
  }

  async startOffset(topic: string, partition: number): Promise<bigint> {
    return this.starts.get(`${topic}/${partition}`) ?? 0n
  }

  async read(topic: string, partition: number, fromOffset: bigint, maxRecords: number): Promise<readonly ChangelogEntry[]> {
    this.reads++
    if (fromOffset < (await this.startOffset(topic, partition))) throw new Error(`Offset ${fromOffset} of ${topic}-${partition} is below the log start`)
    const entries = (this.logs.get(`${topic}/${partition}`) ?? []).filter((e) => e.offset >= fromOffset).slice(0, maxRecords)
    this.onRead?.(topic, partition, entries)
    return entries
  }
}

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'tributary-runtime-'))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** A raw input record; offsets are assigned by the caller. */
export function raw(topic: string, partition: number, offset: number, key: string | null, value: string | null, timestamp: number, headers: RawHeader[] = []): RawRecord {
  return {
    topic,
    partition,
    offset: BigInt(offset),
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    timestamp,
    headers,
  }
}
