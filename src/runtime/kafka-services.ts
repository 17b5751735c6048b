import type { KafkaReader, OutgoingRecord, RecordAck } from '../kafka/types.js'
import type { ChangelogEntry, ChangelogReader, CollectedRecord, RawHeader, RecordWriter } from '../engine/types.js'

/** Where the record writer sends: the idempotent producer, or the open transaction under exactly-once. */
export interface RecordSink {
  send(records: readonly OutgoingRecord[]): Promise<RecordAck[]>
  flush(): Promise<void>
}

export interface RecordCollectorOptions {
  /** Records collected after which a send starts at once. Default 1000. */
  readonly batchRecords?: number
  /** How long a smaller batch waits for more records before it is sent (Kafka's `linger.ms`). Default 5. */
  readonly lingerMs?: number
}

/**
 * The record writer of every task of an instance, behind each task's RecordCollector (Kafka
 * Streams' StreamsProducer). Records go out in the background as they are written, as Kafka
 * Streams' producer sends them: a send starts once `batchRecords` are waiting or `lingerMs` after
 * the first, one send at a time (records written meanwhile make the next one). `flush()` is the commit's barrier: it sends what is left and resolves once the cluster
 * acknowledged everything collected, so offsets are committed only after what they produced is
 * durable. Under exactly-once the sink is the open transaction. A failed send is kept and thrown
 * by the next `flush()` (and every one after it until `discard()`); nothing is sent after it.
 */
export class KafkaRecordWriter implements RecordWriter {
  private pending: OutgoingRecord[] = []
  private readonly acked = new Map<string, bigint>()
  private readonly batchRecords: number
  private readonly lingerMs: number
  private inFlight: Promise<void> | undefined
  private linger: NodeJS.Timeout | undefined
  private failure: { readonly error: unknown } | undefined
  /** Bumped by `discard()`: sends of an older generation neither record acks nor fail a flush. */
  private generation = 0

  constructor(
    private readonly producer: RecordSink,
    options: RecordCollectorOptions = {},
  ) {
    this.batchRecords = options.batchRecords ?? 1000
    this.lingerMs = options.lingerMs ?? 5
  }

  send(record: CollectedRecord): void {
    this.pending.push(outgoing(record))
    // A send in flight picks the records up when it is answered; a failed one stops sending.
    if (this.inFlight !== undefined || this.failure !== undefined) return
    if (this.pending.length >= this.batchRecords) this.dispatch()
    else this.linger ??= setTimeout(() => this.dispatch(), this.lingerMs)
  }

  /** Records collected and not yet handed to the producer. */
  pendingRecords(): number {
    return this.pending.length
  }

  /** Sends everything collected and resolves once the cluster acknowledged all of it. */
  async flush(): Promise<void> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure.error
      if (this.inFlight !== undefined) await this.inFlight
      else if (this.pending.length > 0) this.dispatch()
      else break
    }
    await this.producer.flush()
  }

  /** Forgets what was collected and not yet sent, and any failed send (the work is abandoned). */
  discard(): void {
    this.clearLinger()
    this.pending = []
    this.failure = undefined
    this.generation++
  }

  lastAckedOffset(topic: string, partition: number): bigint | undefined {
    return this.acked.get(`${topic}\u0000${partition}`)
  }

  private clearLinger(): void {
    if (this.linger === undefined) return
    clearTimeout(this.linger)
    this.linger = undefined
  }

  /** Hands everything pending to the producer as one send; the next starts when it is answered. */
  private dispatch(): void {
    this.clearLinger()
    if (this.inFlight !== undefined || this.failure !== undefined || this.pending.length === 0) return
    const batch = this.pending
    this.pending = []
    const generation = this.generation
    this.inFlight = this.sendBatch(batch).then(
      (acked) => {
        if (generation !== this.generation) return
        for (const [key, offset] of acked) this.acked.set(key, offset)
      },
      (error: unknown) => {
        if (generation === this.generation) this.failure ??= { error }
      },
    ).finally(() => {
      this.inFlight = undefined
      // Records collected while the send was in flight have waited long enough.
      if (this.failure === undefined && this.pending.length > 0) this.dispatch()
    })
  }

  /** Sends the batch; resolves with the last offset written to each explicit partition (changelogs). */
  private async sendBatch(batch: readonly OutgoingRecord[]): Promise<Map<string, bigint>> {
    // Records sent to an explicit partition (changelogs) are written one after the other from the
    // partition's ack: the last one's offset is what a checkpoint needs.
    const explicit = new Map<string, number>()
    for (const record of batch) {
      if (record.partition === undefined) continue
      const key = `${record.topic}\u0000${record.partition}`
      explicit.set(key, (explicit.get(key) ?? 0) + 1)
    }
    const acks = await this.producer.send(batch)
    const last = new Map<string, bigint>()
    for (const ack of acks) {
      const key = `${ack.topic}\u0000${ack.partition}`
      const count = explicit.get(key)
      if (count !== undefined) last.set(key, ack.offset + BigInt(count) - 1n)
    }
    return last
  }
}

const NO_HEADERS: readonly RawHeader[] = []

/** The producer's shape of a collected record; built for every record sent, so without spreads or `Object.entries`. */
function outgoing(record: CollectedRecord): OutgoingRecord {
  let headers: RawHeader[] | undefined
  const byName = record.headers
  for (const name in byName) if (Object.hasOwn(byName, name)) (headers ??= []).push([name, byName[name] as Buffer])
  const { topic, partition, key, value, timestamp } = record
  return partition === undefined
    ? { topic, key, value, timestamp, headers: headers ?? NO_HEADERS }
    : { topic, partition, key, value, timestamp, headers: headers ?? NO_HEADERS }
}

/** The task engine's changelog reader over the adapter's reader. */
export class KafkaChangelogReader implements ChangelogReader {
  constructor(private readonly reader: KafkaReader) {}

  endOffset(topic: string, partition: number): Promise<bigint> {
    return this.reader.endOffset({ topic, partition })
  }

  startOffset(topic: string, partition: number): Promise<bigint> {
    return this.reader.startOffset({ topic, partition })
  }

  close(): Promise<void> {
    return this.reader.close()
  }

  async read(topic: string, partition: number, fromOffset: bigint, maxRecords: number): Promise<readonly ChangelogEntry[]> {
    const entries: ChangelogEntry[] = []
    const end = await this.reader.endOffset({ topic, partition })
    const to = fromOffset + BigInt(maxRecords) < end ? fromOffset + BigInt(maxRecords) : end
    if (to <= fromOffset) return entries
    await this.reader.readRange({ topic, partition }, fromOffset, to, (records) => {
      for (const r of records) entries.push({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value })
    })
    return entries
  }
}
