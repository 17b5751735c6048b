import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isTributaryError, TaskMigratedError } from '../../src/core/errors.js'
import type { AssignmentListener, RawRecord } from '../../src/kafka/index.js'
import { buf, readAll, startKafka, str, transactionsSettled, waitFor, type KafkaFixture } from './fixtures.js'

const values = (records: readonly RawRecord[]): (string | null)[] => records.map((r) => str(r.value))
const quiet: AssignmentListener = { onAssigned: () => undefined, onRevoked: () => undefined }

describe('KafkaTransactionalProducer', () => {
  let kafka: KafkaFixture

  beforeEach(async () => {
    kafka = await startKafka('billing')
    await kafka.track(kafka.clients.admin()).createTopics([
      { name: 'fares', partitions: 1 },
      { name: 'invoices', partitions: 1 },
    ])
  })
  afterEach(async () => {
    await kafka.close()
  })

  it('makes committed records visible to read_committed readers and aborted ones never', async () => {
    const producer = kafka.track(kafka.clients.transactionalProducer('0'))
    await producer.begin()
    await producer.send([{ topic: 'invoices', key: buf('r1'), value: buf('committed-1') }])
    await producer.send([{ topic: 'invoices', key: buf('r2'), value: buf('committed-2') }])
    await producer.commit()
    await producer.begin()
    await producer.send([{ topic: 'invoices', key: buf('r3'), value: buf('aborted') }])
    await producer.abort()
    await producer.begin()
    await producer.send([{ topic: 'invoices', key: buf('r4'), value: buf('committed-3') }])
    await producer.commit()

    await transactionsSettled(kafka, 'invoices', 0)
    const committed = kafka.track(kafka.clients.reader({ isolationLevel: 'read_committed' }))
    expect(values(await readAll(committed, 'invoices', 0))).toEqual(['committed-1', 'committed-2', 'committed-3'])
    // One batch per fetch: the aborted batch arrives in a fetch without its abort marker.
    const batchByBatch = kafka.track(kafka.clients.reader({ isolationLevel: 'read_committed', maxBytesPerFetch: 1 }))
    expect(values(await readAll(batchByBatch, 'invoices', 0))).toEqual(['committed-1', 'committed-2', 'committed-3'])
    const uncommitted = kafka.track(kafka.clients.reader({ isolationLevel: 'read_uncommitted' }))
    expect(values(await readAll(uncommitted, 'invoices', 0))).toEqual(['committed-1', 'committed-2', 'aborted', 'committed-3'])

    // A read_committed group member skips the aborted records the same way.
    const consumer = kafka.track(kafka.clients.consumer({ isolationLevel: 'read_committed', heartbeatIntervalMs: 100 }))
    await consumer.subscribe(['invoices'], quiet)
    const seen: RawRecord[] = []
    await waitFor('three committed records', async () => {
      seen.push(...(await consumer.poll(100, 50)))
      return seen.length >= 3
    })
    expect(await consumer.poll(100, 50)).toEqual([])
    expect(values(seen)).toEqual(['committed-1', 'committed-2', 'committed-3'])
  })

  it('commits consumer offsets with sendOffsets only when the transaction commits', async () => {
    const input = kafka.track(kafka.clients.producer())
    await input.send(Array.from({ length: 4 }, (_, i) => ({ topic: 'fares', key: buf(`r${i}`), value: buf(`${i * 10}`) })))
    const consumer = kafka.track(kafka.clients.consumer({ isolationLevel: 'read_committed', heartbeatIntervalMs: 100 }))
    await consumer.subscribe(['fares'], quiet)
    const fares: RawRecord[] = []
    await waitFor('four fares', async () => {
      fares.push(...(await consumer.poll(100, 50)))
      return fares.length >= 4
    })
    const fares0 = { topic: 'fares', partition: 0 }

    const producer = kafka.track(kafka.clients.transactionalProducer('0'))
    await producer.begin()
    await producer.send([{ topic: 'invoices', key: buf('r0'), value: buf('invoice') }])
    await producer.sendOffsets(consumer.groupMetadata(), [{ ...fares0, offset: 2n }])
    await producer.abort()
    expect(await consumer.committed([fares0])).toEqual([])

    await producer.begin()
    await producer.send([{ topic: 'invoices', key: buf('r0'), value: buf('invoice') }])
    await producer.sendOffsets(consumer.groupMetadata(), [{ ...fares0, offset: 4n }])
    await producer.commit()
    expect(await consumer.committed([fares0])).toEqual([{ ...fares0, offset: 4n }])
  })

  it('reads committed offsets only once the transaction that wrote them has completed (KIP-447 require_stable)', async () => {
    await kafka.track(kafka.clients.producer()).send([{ topic: 'fares', partition: 0, key: buf('r0'), value: buf('0') }])
    const consumer = kafka.track(kafka.clients.consumer({ isolationLevel: 'read_committed', heartbeatIntervalMs: 100 }))
    await consumer.subscribe(['fares'], quiet)
    const fares0 = { topic: 'fares', partition: 0 }
    const producer = kafka.track(kafka.clients.transactionalProducer('0'))
    await producer.begin()
    await producer.send([{ topic: 'invoices', key: buf('r0'), value: buf('invoice') }])
    await producer.sendOffsets(consumer.groupMetadata(), [{ ...fares0, offset: 1n }])

    // Asked while the transaction is open, the answer waits for its outcome instead of giving the
    // offset from before it (none): a task moved right after a commit must not redo that commit.
    const committed = consumer.committed([fares0])
    let answered = false
    void committed.finally(() => (answered = true))
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(answered).toBe(false)
    await producer.commit()
    expect(await committed).toEqual([{ ...fares0, offset: 1n }])
  })

  it('fences an older producer with the same transactional id with a TaskMigratedError', async () => {
    const first = kafka.track(kafka.clients.transactionalProducer('0'))
    await first.begin()
    await first.send([{ topic: 'invoices', key: buf('a'), value: buf('from-first') }])

    const second = kafka.track(kafka.clients.transactionalProducer('0'))
    await second.begin()
    await second.send([{ topic: 'invoices', key: buf('b'), value: buf('from-second') }])
    await second.commit()

    const error = await first.commit().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(TaskMigratedError)
    expect(isTributaryError(error, 'TRIBUTARY_TASK_MIGRATED')).toBe(true)
    expect((error as Error).message).toMatch(/another instance took over/)

    await transactionsSettled(kafka, 'invoices', 0)
    const reader = kafka.track(kafka.clients.reader({ isolationLevel: 'read_committed' }))
    expect(values(await readAll(reader, 'invoices', 0))).toEqual(['from-second'])
  })
})
