import { Producer, type MessageToProduce } from '@platformatic/kafka'
import { murmur2 } from '../core/partitioner.js'
import { IllegalStateError, KafkaError } from '../core/errors.js'
import { brokerErrorNames, callKafka } from './errors.js'
import { closeForcefully, type KafkaSettings } from './connection.js'
import { retryOnBrokerError } from './retry-on-broker-error.js'
import { chunkBySize } from './send-chunks.js'
import type {
  GroupMetadata, KafkaProducer, KafkaTransactionalProducer, OutgoingRecord, RecordAck, TopicPartitionOffset,
} from './types.js'

/**
 * Converts records to the client's message shape. The client keeps headers in a map, so a
 * repeated header key keeps its last value, and a null header value is sent as empty bytes.
 */
export function toMessages(records: readonly OutgoingRecord[]): MessageToProduce[] {
  return records.map((r) => {
    const message: MessageToProduce = { topic: r.topic }
    if (r.key !== null) message.key = r.key
    if (r.value !== null) message.value = r.value
    if (r.partition !== undefined) message.partition = r.partition
    if (r.timestamp !== undefined) message.timestamp = BigInt(r.timestamp)
    if (r.headers !== undefined && r.headers.length > 0) {
      message.headers = new Map(r.headers.map(([k, v]) => [Buffer.from(k, 'utf8'), v ?? Buffer.alloc(0)]))
    }
    return message
  })
}

function toAcks(offsets: readonly TopicPartitionOffset[] | undefined): RecordAck[] {
  return (offsets ?? []).map(({ topic, partition, offset }) => ({ topic, partition, offset }))
}

/**
 * Sends `records` in chunks below the broker's batch limit (see MAX_SEND_BYTES), one after the
 * other, so each partition's records stay contiguous and in order; acknowledges each partition
 * with the offset of its first record, as one send would.
 */
async function sendInChunks(records: readonly OutgoingRecord[], sendOne: (messages: MessageToProduce[]) => Promise<{ offsets?: TopicPartitionOffset[] }>): Promise<RecordAck[]> {
  const chunks = chunkBySize(records)
  if (chunks.length === 1) return toAcks((await sendOne(toMessages(records))).offsets)
  const first = new Map<string, RecordAck>()
  for (const chunk of chunks) {
    for (const ack of toAcks((await sendOne(toMessages(chunk))).offsets)) {
      const key = `${ack.topic}\u0000${ack.partition}`
      if (!first.has(key)) first.set(key, ack)
    }
  }
  return [...first.values()]
}

// Keyed records without a partition go where Kafka's Java client puts them: murmur2 masked to 31
// bits, modulo the partition count. The client's default takes murmur2 as unsigned instead, which
// sends about half the keys elsewhere and breaks co-partitioning with topics other clients write.
// The client applies the modulo; its own `compatibilityPartitioner` computes the same hash in BigInt
// arithmetic, several allocations per record, where this one stays in 32-bit integers.
function javaClientPartitioner(_message: MessageToProduce, key: unknown): number {
  return Buffer.isBuffer(key) ? murmur2(key) & 0x7fffffff : 0
}

/**
 * Runs the sends of one producer one after the other. The client numbers an idempotent batch from
 * the partition's sequence as it builds the request but advances that sequence only when the
 * response arrives, so two sends in flight on one partition carry the same base sequence: the
 * broker refuses the second (OUT_OF_ORDER_SEQUENCE_NUMBER) or, when both hold as many records,
 * takes it for a retry of the first and drops it (DUPLICATE_SEQUENCE). One send at a time keeps
 * every batch numbered after the one before it.
 */
export class SendQueue {
  #tail: Promise<unknown> = Promise.resolve()

  /** Runs `call` once every call queued before it has settled; resolves or rejects as it does. */
  run<T>(call: () => Promise<T>): Promise<T> {
    const turn = this.#tail.then(call)
    this.#tail = turn.catch(() => undefined)
    return turn
  }

  /** Resolves once every call queued so far has settled. */
  async drain(): Promise<void> {
    await this.#tail
  }
}

/** Broker answers that mean the client's producer id or sequence numbers no longer match the broker's. */
const sequenceErrors = ['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'DUPLICATE_SEQUENCE_NUMBER']

/**
 * What InitProducerId presents as the producer's current id and epoch: none (-1, -1), as a new
 * producer must. The client's default is (0, 0), which Apache Kafka (KIP-360) reads as producer
 * id 0 asking for an epoch bump and answers with PRODUCER_FENCED once the transactional id belongs
 * to another producer id, so a restarted or migrated exactly-once task could never start again.
 */
const NEW_PRODUCER_IDENTITY = { producerId: -1n, producerEpoch: -1 } as const

/**
 * An idempotent producer with acks=-1: a resolved `send` is on every in-sync replica. A failed send
 * leaves the client's sequence numbers in doubt (the broker may have appended a batch whose answer
 * was lost; the next batch would reuse its sequence and be refused), so the client is replaced by
 * a fresh one, with a new producer id whose sequences start over, as Kafka's producer bumps its
 * epoch. A refusal for sequence reasons is then retriable.
 */
export class PlatformaticProducer implements KafkaProducer {
  #producer: Producer
  readonly #newProducer: () => Producer
  readonly #inFlight = new Set<Promise<unknown>>()
  readonly #sends = new SendQueue()
  readonly #deadlineMs: number

  constructor(settings: KafkaSettings) {
    this.#newProducer = () => new Producer({ ...settings.client, ...NEW_PRODUCER_IDENTITY, idempotent: true, acks: -1, partitioner: javaClientPartitioner })
    this.#producer = this.#newProducer()
    this.#deadlineMs = settings.deadlineMs
  }

  /** Sends may be called concurrently: they go out one after the other, in call order. */
  async send(records: readonly OutgoingRecord[]): Promise<RecordAck[]> {
    if (records.length === 0) return []
    const operation = `Producing ${records.length} record(s)`
    const sending = this.#sends.run(async () => {
      try {
        return await sendInChunks(records, (messages) => this.#call(operation, () => this.#producer.send({ messages })))
      } catch (error) {
        const old = this.#producer
        this.#producer = this.#newProducer()
        await closeForcefully(old).catch(() => undefined)
        if (error instanceof KafkaError && !error.canRetry && brokerErrorNames(error).some((name) => sequenceErrors.includes(name))) {
          throw new KafkaError(`${error.message} The producer was replaced; sending again is safe.`, { cause: error, canRetry: true })
        }
        throw error
      }
    })
    const tracked = sending.catch(() => undefined)
    this.#inFlight.add(tracked)
    try {
      return await sending
    } finally {
      this.#inFlight.delete(tracked)
    }
  }

  async flush(): Promise<void> {
    await Promise.all([...this.#inFlight])
  }

  async close(): Promise<void> {
    await this.flush()
    await this.#call('Closing the producer', () => closeForcefully(this.#producer))
  }

  /** A client call bounded by the operation deadline (plus any wait the call itself asks for). */
  #call<T>(operation: string, call: () => Promise<T>, extraMs = 0): Promise<T> {
    return callKafka(operation, call, this.#deadlineMs + extraMs)
  }
}

type Transaction = Awaited<ReturnType<Producer['beginTransaction']>>

export interface TransactionalProducerOptions {
  /** How long the broker lets a transaction stay open before aborting it (Kafka's `transaction.timeout.ms`). Default 10000. */
  readonly transactionTimeoutMs?: number
}

/** Kafka Streams' `transaction.timeout.ms` under exactly-once (the producer's own default is 60 s). */
const DEFAULT_TRANSACTION_TIMEOUT_MS = 10_000

/**
 * One transactional producer per instance (exactly_once_v2). Starting it fences any older
 * producer with the same transactional id; a fenced producer fails with `TaskMigratedError`.
 */
export class PlatformaticTransactionalProducer implements KafkaTransactionalProducer {
  #producer: Producer
  readonly #newProducer: () => Producer
  readonly #transactionalId: string
  #transaction: Transaction | undefined
  #sequencesInDoubt = false
  readonly #sends = new SendQueue()
  readonly #deadlineMs: number

  constructor(settings: KafkaSettings, transactionalId: string, options: TransactionalProducerOptions = {}) {
    this.#transactionalId = transactionalId
    this.#deadlineMs = settings.deadlineMs
    const transactionTimeoutMs = options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS
    // The client sends its `timeout` as InitProducerId's transaction timeout (and as the produce
    // requests' acknowledgement timeout, which a transaction cannot usefully outlast anyway).
    this.#newProducer = () =>
      new Producer({ ...settings.client, ...NEW_PRODUCER_IDENTITY, timeout: transactionTimeoutMs, idempotent: true, acks: -1, transactionalId, partitioner: javaClientPartitioner })
    this.#producer = this.#newProducer()
  }

  async init(): Promise<void> {
    if (this.#transaction !== undefined) return
    // The client sends InitProducerId with the transactional id only when a transaction begins;
    // nothing is sent in this one, so cancelling it just forgets it (no EndTxn), and the next
    // begin() finds the producer id already set.
    const transaction = await this.#untilNoTransactionPending(async () => {
      try {
        return await this.#call(`Initializing the transactional producer "${this.#transactionalId}"`, () => this.#producer.beginTransaction())
      } catch (error) {
        await this.#replaceProducer()
        throw error
      }
    })
    await transaction.cancel()
  }

  async begin(): Promise<void> {
    if (this.#transaction !== undefined) {
      throw new IllegalStateError(`Transaction of "${this.#transactionalId}" is already open; commit() or abort() it first.`)
    }
    this.#transaction = await this.#untilNoTransactionPending(async () => {
      try {
        return await this.#call(`Beginning a transaction for "${this.#transactionalId}"`, () => this.#producer.beginTransaction())
      } catch (error) {
        await this.#replaceProducer()
        throw error
      }
    })
  }

  async send(records: readonly OutgoingRecord[]): Promise<RecordAck[]> {
    const transaction = this.#open('send')
    if (records.length === 0) return []
    // Serialized for the sequence numbers, as in PlatformaticProducer.
    return this.#sends.run(async () => {
      try {
        // The partitions are added to the transaction before anything is produced, and only once
        // the broker accepted them: a send refused for the previous transaction is tried again.
        return await sendInChunks(records, (messages) =>
          this.#untilNoTransactionPending(() => this.#call(`Producing ${messages.length} record(s) in a transaction`, () => transaction.send({ messages }))),
        )
      } catch (error) {
        this.#sequencesInDoubt = true
        throw error
      }
    })
  }

  async sendOffsets(group: GroupMetadata, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const transaction = this.#open('sendOffsets')
    if (offsets.length === 0) return
    // The client needs only the group id of the consumer it adds to the transaction.
    await this.#untilNoTransactionPending(() =>
      this.#call('Adding the consumer group to the transaction', () => transaction.addConsumer({ groupId: group.groupId } as Parameters<Transaction['addConsumer']>[0])),
    )
    for (const { topic, partition, offset } of offsets) {
      // The client commits the offset after the given message, i.e. `message.offset + 1`.
      await this.#call(`Adding the offset of ${topic}-${partition} to the transaction`, () =>
        transaction.addOffset({
          topic,
          partition,
          offset: offset - 1n,
          key: Buffer.alloc(0),
          value: Buffer.alloc(0),
          headers: new Map(),
          timestamp: 0n,
          metadata: { consumer: group },
          commit: () => undefined,
          toJSON: () => ({}),
        } as unknown as Parameters<Transaction['addOffset']>[0]),
      )
    }
  }

  async commit(): Promise<void> {
    const transaction = this.#open('commit')
    // A transaction ends only after every send in it has been answered.
    await this.#sends.drain()
    await this.#call(`Committing the transaction of "${this.#transactionalId}"`, () => transaction.commit())
    this.#transaction = undefined
  }

  async abort(): Promise<void> {
    const transaction = this.#open('abort')
    try {
      await this.#sends.drain()
      await this.#call(`Aborting the transaction of "${this.#transactionalId}"`, () => transaction.abort())
    } catch (error) {
      await this.#replaceProducer()
      throw error
    } finally {
      // After a failed abort (e.g. fenced) the transaction is unusable either way.
      this.#transaction = undefined
    }
    // A failed send may have been written without the client learning it: its next batch would
    // reuse the sequence and be refused. A new client gets a bumped epoch and starts over.
    if (this.#sequencesInDoubt) await this.#replaceProducer()
  }

  /**
   * Apache Kafka answers EndTxn once the outcome is decided and writes the markers afterwards;
   * until they are written, the next transaction's InitProducerId, AddPartitionsToTxn and
   * AddOffsetsToTxn are refused with CONCURRENT_TRANSACTIONS, which Kafka's producer waits out.
   */
  #untilNoTransactionPending<T>(attempt: () => Promise<T>): Promise<T> {
    return retryOnBrokerError(['CONCURRENT_TRANSACTIONS'], this.#deadlineMs, attempt)
  }

  /**
   * After a failed begin or abort the client may still count its transaction as open (it clears
   * it only once the broker answered), and would refuse every later begin. A new client with the
   * same transactional id starts clean: its InitProducerId bumps the epoch, which makes the broker
   * abort whatever the old one left open.
   */
  async #replaceProducer(): Promise<void> {
    this.#sequencesInDoubt = false
    const old = this.#producer
    this.#producer = this.#newProducer()
    await closeForcefully(old).catch(() => undefined)
  }

  async close(): Promise<void> {
    await this.#call('Closing the transactional producer', () => closeForcefully(this.#producer))
  }

  #open(operation: string): Transaction {
    if (this.#transaction === undefined) {
      throw new IllegalStateError(`${operation}() needs an open transaction; call begin() first.`)
    }
    return this.#transaction
  }

  /** A client call bounded by the operation deadline (plus any wait the call itself asks for). */
  #call<T>(operation: string, call: () => Promise<T>, extraMs = 0): Promise<T> {
    return callKafka(operation, call, this.#deadlineMs + extraMs)
  }
}
