/**
 * Compares what Kafka Streams and Tributary wrote to one output topic, partition by partition.
 * Within a partition, records of different tasks interleave as the two systems happen to schedule
 * their tasks, so each partition is split into ordering groups (by default one group: the whole
 * partition; the differential cases use the seed, whose records all come from one task) and each
 * group's sequence must match record for record: key, value, timestamp and order.
 */
import type { RawRecord } from '../../../src/kafka/index.js'

export interface OutputComparison {
  readonly topic: string
  /** Ordering group of a record, from its key. */
  readonly groupOf?: (key: Buffer | null) => string
  /** How a failure names a group (a seed and how to reproduce it). */
  readonly describeGroup?: (group: string) => string
  readonly kafkaStreams: readonly RawRecord[]
  readonly tributary: readonly RawRecord[]
}

export interface Divergence {
  readonly topic: string
  readonly partition: number
  readonly group: string
  readonly index: number
  readonly report: string
}

/** Every group whose sequences differ, each with the first diverging record and its neighbours. */
export function divergences(c: OutputComparison): Divergence[] {
  const groupOf = c.groupOf ?? (() => 'all')
  const expected = split(c.kafkaStreams, groupOf)
  const actual = split(c.tributary, groupOf)
  const found: Divergence[] = []
  for (const id of new Set([...expected.keys(), ...actual.keys()])) {
    const want = expected.get(id) ?? []
    const got = actual.get(id) ?? []
    const index = firstDifference(want, got)
    if (index === undefined) continue
    const [partition, group] = splitId(id)
    const name = c.describeGroup?.(group) ?? group
    const report = [
      `${c.topic} partition ${partition}, ${name}: record #${index} differs (Kafka Streams wrote ${want.length}, Tributary ${got.length})`,
      `  Kafka Streams: ${show(want[index])}`,
      `  Tributary:     ${show(got[index])}`,
      `  Kafka Streams #${Math.max(0, index - 3)}..: ${neighbours(want, index)}`,
      `  Tributary     #${Math.max(0, index - 3)}..: ${neighbours(got, index)}`,
    ].join('\n')
    found.push({ topic: c.topic, partition, group, index, report })
  }
  return found.sort((a, b) => a.partition - b.partition || a.group.localeCompare(b.group))
}

function split(records: readonly RawRecord[], groupOf: (key: Buffer | null) => string): Map<string, RawRecord[]> {
  const groups = new Map<string, RawRecord[]>()
  for (const record of records) {
    const id = `${record.partition}\u0000${groupOf(record.key)}`
    const list = groups.get(id)
    if (list === undefined) groups.set(id, [record])
    else list.push(record)
  }
  return groups
}

function splitId(id: string): [number, string] {
  const at = id.indexOf('\u0000')
  return [Number(id.slice(0, at)), id.slice(at + 1)]
}

function firstDifference(want: readonly RawRecord[], got: readonly RawRecord[]): number | undefined {
  const length = Math.max(want.length, got.length)
  for (let i = 0; i < length; i++) if (!same(want[i], got[i])) return i
  return undefined
}

function same(a: RawRecord | undefined, b: RawRecord | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return sameBytes(a.key, b.key) && sameBytes(a.value, b.value) && a.timestamp === b.timestamp
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b)
}

export function show(record: RawRecord | undefined): string {
  if (record === undefined) return '(none)'
  return `${text(record.key)} -> ${text(record.value)} @${record.timestamp}`
}

function text(bytes: Buffer | null): string {
  return bytes === null ? 'null' : JSON.stringify(bytes.toString('utf8'))
}

function neighbours(records: readonly RawRecord[], index: number): string {
  return records.slice(Math.max(0, index - 3), index + 4).map(show).join(' | ') || '(none)'
}
