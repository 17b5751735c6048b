import type { KafkaConsumer, KafkaProducer, RawRecord } from '../../src/kafka/index.js'
import { SendLedger } from './send-ledger.js'

/** How the pipe batches, pipelines and commits. */
export interface PipeSettings {
  readonly outputTopic: string
  /** Offsets of acknowledged records are committed this often (Tributary's commitIntervalMs in the bench). */
  readonly commitIntervalMs: number
  /**
   * Sends started and not yet acknowledged at most: the depth of the pipeline, and with
   * `maxRecordsPerPoll` the bound on records held in memory beyond the consumer's own buffer.
   */
  readonly maxSendsInFlight: number
  /** Records one poll may return (one send each): larger batches mean fewer produce requests. */
  readonly maxRecordsPerPoll: number
}

export const DEFAULT_PIPE_SETTINGS: Omit<PipeSettings, 'outputTopic' | 'commitIntervalMs'> = {
  maxSendsInFlight: 8,
  maxRecordsPerPoll: 5_000,
}

/** How long a poll waits when nothing is buffered: short, so that the loop notices a stop quickly. */
const POLL_TIMEOUT_MS = 100

/**
 * The I/O limit: the best consume -> produce loop a user could write with the client, records
 * copied unchanged but for the topic, and still at-least-once.
 *
 * - The consumer fetches the next batch while the loop hands the current one to the producer
 *   (the client's poll leaves a prefetch running), and the loop does not wait for the send.
 * - Sends are pipelined: up to `maxSendsInFlight` are outstanding; only at that bound does the
 *   loop wait, for the first of them to be acknowledged.
 * - A timer commits every `commitIntervalMs`, and only the offsets `SendLedger` allows: those of
 *   records whose sends, and all sends before them, were acknowledged.
 */
export class RawPipe {
  readonly #ledger = new SendLedger()
  readonly #inFlight = new Set<Promise<void>>()
  #stopped = false
  #failure: { readonly error: unknown } | undefined
  #loops: Promise<unknown> | undefined
  #commitTimer: { wake: () => void } | undefined

  constructor(
    private readonly consumer: KafkaConsumer,
    private readonly producer: KafkaProducer,
    private readonly settings: PipeSettings,
    /** Told once, of the first error that stopped the pipe. */
    private readonly onFailure: (error: unknown) => void = () => undefined,
  ) {}

  async start(topics: readonly string[]): Promise<void> {
    await this.consumer.subscribe(topics, { onAssigned: () => undefined, onRevoked: () => undefined })
    this.#loops = Promise.all([this.#guard(() => this.#pipe()), this.#guard(() => this.#commitEvery())])
  }

  /** Throws what stopped the pipe, if anything did. */
  checkHealthy(): void {
    if (this.#failure !== undefined) throw this.#failure.error
  }

  async #guard(loop: () => Promise<void>): Promise<void> {
    try {
      await loop()
    } catch (error) {
      this.#fail(error)
    }
  }

  #fail(error: unknown): void {
    if (this.#failure !== undefined) return
    this.#failure = { error }
    this.#stopped = true
    this.#commitTimer?.wake()
    this.onFailure(error)
  }

  async #pipe(): Promise<void> {
    while (!this.#stopped) {
      if (this.#inFlight.size >= this.settings.maxSendsInFlight) {
        await Promise.race(this.#inFlight)
        continue
      }
      const records = await this.consumer.poll(this.settings.maxRecordsPerPoll, POLL_TIMEOUT_MS)
      if (records.length > 0) this.#send(records)
    }
  }

  /** Starts the send of `records` without waiting for it; its acknowledgement makes their offsets committable. */
  #send(records: readonly RawRecord[]): void {
    const ticket = this.#ledger.add(records)
    const outputs = records.map((r) => ({ topic: this.settings.outputTopic, key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers }))
    const sending: Promise<void> = this.producer.send(outputs).then(
      () => this.#ledger.acknowledge(ticket),
      (error: unknown) => this.#fail(error),
    ).finally(() => this.#inFlight.delete(sending))
    this.#inFlight.add(sending)
  }

  async #commitEvery(): Promise<void> {
    while (!this.#stopped) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.settings.commitIntervalMs)
        this.#commitTimer = {
          wake: () => {
            clearTimeout(timer)
            resolve()
          },
        }
      })
      const offsets = this.#ledger.takeCommittable()
      if (offsets.length > 0 && this.#failure === undefined) await this.consumer.commit(offsets)
    }
  }

  async close(): Promise<void> {
    this.#stopped = true
    this.#commitTimer?.wake()
    await this.#loops
    await Promise.all(this.#inFlight)
    await this.consumer.close()
    await this.producer.close()
  }
}
