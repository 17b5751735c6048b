import type { KafkaReader, RawRecord } from '../../kafka/index.js'
import type { OutputTopic } from '../../../topologies/types.js'
import type { DecodedRecord } from './record-format.js'

/** Raw records kept per topic for the next sample by default; older ones are not worth showing. */
const KEPT_PER_TOPIC = 50

interface TopicTap {
  readonly output: OutputTopic
  /** Next offset to read, by partition. */
  readonly next: bigint[]
  produced: number
  /** The newest records not sampled yet, oldest first. */
  recent: RawRecord[]
}

/**
 * Watches the output topics of a running topology from outside its consumer group: counts every
 * record written since `begin()` (exactly, since it reads them all; under read_committed only
 * committed ones) and keeps the newest few so that `sample()` can show what the topology makes.
 */
export class OutputTap {
  private readonly taps: TopicTap[]

  constructor(
    private readonly reader: KafkaReader,
    outputs: readonly OutputTopic[],
    partitionCounts: ReadonlyMap<string, number>,
    private readonly random: () => number = Math.random,
    /** Newest records kept per topic (for `sample` and `latest`). */
    private readonly keep: number = KEPT_PER_TOPIC,
  ) {
    this.taps = outputs.map((output) => ({
      output,
      next: new Array<bigint>(partitionCounts.get(output.topic) ?? 1).fill(0n),
      produced: 0,
      recent: [],
    }))
  }

  /** Starts counting at the current end of each output, so records of earlier runs are not counted. */
  async begin(): Promise<void> {
    for (const tap of this.taps) {
      for (let partition = 0; partition < tap.next.length; partition++) {
        tap.next[partition] = await this.reader.endOffset({ topic: tap.output.topic, partition })
      }
    }
  }

  /** Reads what was written since the last poll; resolves with how many records that was. */
  async poll(): Promise<number> {
    let read = 0
    for (const tap of this.taps) {
      for (let partition = 0; partition < tap.next.length; partition++) {
        const tp = { topic: tap.output.topic, partition }
        const end = await this.reader.endOffset(tp)
        const from = tap.next[partition]!
        if (end <= from) continue
        tap.next[partition] = await this.reader.readRange(tp, from, end, (batch) => {
          read += batch.length
          tap.produced += batch.length
          tap.recent.push(...batch.slice(-this.keep))
          if (tap.recent.length > this.keep) tap.recent.splice(0, tap.recent.length - this.keep)
        })
      }
    }
    return read
  }

  /** Records written to each output topic since `begin()`. */
  produced(): Map<string, number> {
    return new Map(this.taps.map((tap) => [tap.output.topic, tap.produced]))
  }

  total(): number {
    return this.taps.reduce((sum, tap) => sum + tap.produced, 0)
  }

  /** Whether `topic` is one of the tapped ones. */
  has(topic: string): boolean {
    return this.taps.some((t) => t.output.topic === topic)
  }

  /** The newest records kept of `topic` (those since the last `sample`), oldest first, decoded. */
  async latest(topic: string): Promise<DecodedRecord[]> {
    const tap = this.taps.find((t) => t.output.topic === topic)
    if (tap === undefined) return []
    const decoded: DecodedRecord[] = []
    for (const record of tap.recent) decoded.push(await decode(tap.output, record))
    return decoded
  }

  /**
   * Up to `max` records written since the last sample, taken in turn from each output topic so
   * that a busy topic does not hide a quiet one, decoded with the topic's serdes.
   */
  async sample(max: number): Promise<DecodedRecord[]> {
    // One record per key, picked at random among the recent ones: the last updates of one busy
    // key, or the same few keys every time, say little about what the topology makes.
    const candidates = this.taps.map((tap) => {
      const byKey = new Map<string, RawRecord>()
      for (const record of tap.recent) byKey.set(record.key?.toString('base64') ?? '', record)
      const distinct = [...byKey.values()]
      for (let i = distinct.length - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1))
        ;[distinct[i], distinct[j]] = [distinct[j]!, distinct[i]!]
      }
      return distinct
    })
    const picked: { tap: TopicTap; record: RawRecord }[] = []
    for (let round = 0; picked.length < max; round++) {
      let any = false
      this.taps.forEach((tap, i) => {
        const record = candidates[i]![round]
        if (record === undefined || picked.length >= max) return
        picked.push({ tap, record })
        any = true
      })
      if (!any) break
    }
    for (const tap of this.taps) tap.recent = []
    const decoded: DecodedRecord[] = []
    for (const { tap, record } of picked) decoded.push(await decode(tap.output, record))
    return decoded.sort((a, b) => a.topic.localeCompare(b.topic) || a.timestamp - b.timestamp)
  }
}

async function decode(output: OutputTopic, record: RawRecord): Promise<DecodedRecord> {
  const decodePart = async (data: Buffer | null, isKey: boolean): Promise<unknown> => {
    if (data === null) return null
    const serde = isKey ? output.keySerde : output.valueSerde
    try {
      return await serde.deserialize(data, { topic: output.topic, isKey })
    } catch (error) {
      return `<cannot decode: ${error instanceof Error ? error.message : String(error)}>`
    }
  }
  return {
    topic: output.topic,
    key: await decodePart(record.key, true),
    value: await decodePart(record.value, false),
    timestamp: record.timestamp,
  }
}
