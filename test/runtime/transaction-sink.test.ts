import { describe, expect, it } from 'vitest'
import type { GroupMetadata, KafkaTransactionalProducer, OutgoingRecord, RecordAck, TopicPartitionOffset } from '../../src/kafka/types.js'
import { TransactionSink } from '../../src/runtime/transaction-sink.js'

/** Records the calls in order; `begin` and `send` are answered when the test says so. */
class ScriptedProducer implements KafkaTransactionalProducer {
  readonly calls: string[] = []
  private readonly waiting: (() => void)[] = []

  private async answerLater(call: string): Promise<void> {
    this.calls.push(`${call} started`)
    await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.calls.push(`${call} done`)
  }

  answer(): void {
    this.waiting.shift()?.()
  }

  async init(): Promise<void> {
    this.calls.push('init')
  }

  begin(): Promise<void> {
    return this.answerLater('begin')
  }

  async send(records: readonly OutgoingRecord[]): Promise<RecordAck[]> {
    await this.answerLater(`send ${records.length}`)
    return [{ topic: records[0]?.topic ?? '', partition: 0, offset: 0n }]
  }

  async sendOffsets(_group: GroupMetadata, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    this.calls.push(`offsets ${offsets.length}`)
  }

  async commit(): Promise<void> {
    this.calls.push('commit')
  }

  async abort(): Promise<void> {
    this.calls.push('abort')
  }

  async close(): Promise<void> {}
}

const out = (n: number): OutgoingRecord[] => Array.from({ length: n }, () => ({ topic: 'out', key: null, value: Buffer.from('v') }))
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))
const group: GroupMetadata = { groupId: 'app', generationId: 1, memberId: 'm', coordinatorId: 0 }

describe('TransactionSink', () => {
  it('begins one transaction for concurrent sends and runs them one after the other', async () => {
    const producer = new ScriptedProducer()
    const sink = new TransactionSink(producer)
    const sends = [sink.send(out(1)), sink.send(out(2))]
    for (let i = 0; i < 3; i++) {
      await tick()
      producer.answer()
    }
    await Promise.all(sends)
    await sink.commit(group, [{ topic: 'in', partition: 0, offset: 5n }])
    expect(producer.calls).toEqual(['begin started', 'begin done', 'send 1 started', 'send 1 done', 'send 2 started', 'send 2 done', 'offsets 1', 'commit'])
  })

  it('aborts a transaction that a send in flight is still beginning', async () => {
    const producer = new ScriptedProducer()
    const sink = new TransactionSink(producer)
    const sending = sink.send(out(1))
    await tick()
    const aborting = sink.abort()
    producer.answer()
    await tick()
    producer.answer()
    await Promise.all([sending, aborting])
    expect(producer.calls).toEqual(['begin started', 'begin done', 'send 1 started', 'send 1 done', 'abort'])
    // The next send begins a new transaction instead of joining the aborted one.
    const next = sink.send(out(1))
    await tick()
    expect(producer.calls.at(-1)).toBe('begin started')
    producer.answer()
    await tick()
    producer.answer()
    await next
  })
})
