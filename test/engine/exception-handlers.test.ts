import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError, isTributaryError, ProcessingError, StateStoreError } from '../../src/core/errors.js'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { Processor } from '../../src/processors/api.js'
import { resolveStreamsConfig } from '../../src/runtime/config.js'
import { DEAD_LETTER_HEADERS } from '../../src/engine/dead-letter.js'
import { isRecordProcessingFailure, resolveExceptionHandlers } from '../../src/engine/exception-handlers.js'
import type { StreamTask } from '../../src/engine/stream-task.js'
import type { Serde } from '../../src/serde/serde.js'
import { Serdes } from '../../src/serde/serdes.js'
import type { Topology } from '../../src/topology/topology.js'
import { raw, tempDir } from '../runtime/fixtures.js'
import { feed, openTask, type HarnessOptions } from './task-harness.js'

const str = Serdes.string()
const num = Serdes.json<number>()

describe('exception handler options', () => {
  const base = { applicationId: 'app', bootstrapServers: ['127.0.0.1:9092'] }

  it("default to 'fail' and accept 'continue' and a dead-letter topic", () => {
    expect(resolveExceptionHandlers({})).toEqual({
      deserializationExceptionHandler: 'fail',
      processingExceptionHandler: 'fail',
      productionExceptionHandler: 'fail',
    })
    const config = resolveStreamsConfig({ ...base, processingExceptionHandler: { deadLetterTopic: 'rides-failed' }, productionExceptionHandler: 'continue' })
    expect(config.processingExceptionHandler).toEqual({ deadLetterTopic: 'rides-failed' })
    expect(config.productionExceptionHandler).toBe('continue')
    expect(config.deserializationExceptionHandler).toBe('fail')
  })

  it.each([
    ['an unknown processing choice', { processingExceptionHandler: 'skip' }, /processingExceptionHandler must be 'fail', 'continue' or \{ deadLetterTopic/],
    ['a dead letter without a topic', { processingExceptionHandler: { deadLetterTopic: '' } }, /processingExceptionHandler/],
    ['a dead-letter topic with a space', { deserializationExceptionHandler: { deadLetterTopic: 'bad topic' } }, /deserializationExceptionHandler/],
    ['a dead letter for production', { productionExceptionHandler: { deadLetterTopic: 'x' } }, /productionExceptionHandler must be 'fail' or 'continue'/],
    ['an unknown production choice', { productionExceptionHandler: 'retry' }, /productionExceptionHandler/],
  ])('reject %s with a ConfigError', (_what, options, message) => {
    const resolve = () => resolveStreamsConfig({ ...base, ...(options as object) })
    expect(resolve).toThrow(ConfigError)
    expect(resolve).toThrow(message)
  })

  it('leave errors about the instance (store, Kafka, production) to fail the task', () => {
    expect(isRecordProcessingFailure(new TypeError('x'))).toBe(true)
    expect(isRecordProcessingFailure(new ProcessingError('x'))).toBe(true)
    expect(isRecordProcessingFailure(new StateStoreError('disk full'))).toBe(false)
  })
})

/** Doubles amounts; the mapper throws on a negative one. A second branch counts every record into `seen`. */
function billing(valueSerde: Serde<number> = num): Topology {
  const b = new StreamsBuilder()
  const orders = b.stream<string, number>('in', { keySerde: str, valueSerde: num })
  orders
    .mapValues((amount) => {
      if (amount < 0) throw new RangeError(`negative amount ${amount}`)
      return amount * 2
    })
    .to('out', { keySerde: str, valueSerde })
  orders.to('audit', { keySerde: str, valueSerde: num })
  return b.build()
}

const values = (records: readonly { value: Buffer | null }[]) => records.map((r) => (r.value === null ? null : JSON.parse(r.value.toString())))

describe('StreamTask exception handlers', () => {
  let dir: { path: string; remove(): void }
  const open: StreamTask[] = []
  beforeEach(() => {
    dir = tempDir()
  })
  afterEach(async () => {
    for (const task of open.splice(0)) await task.close({ clean: false })
    dir.remove()
  })
  async function start(topology: Topology, options: HarnessOptions = {}) {
    const opened = await openTask(topology, { in: 1 }, '0_0', dir.path, 'memory', options)
    open.push(opened.task)
    return opened
  }
  const batch = [raw('in', 0, 0, 'a', '1', 1), raw('in', 0, 1, 'b', '-5', 2, [['trace', Buffer.from('t-2')]]), raw('in', 0, 2, 'c', '3', 3)]

  it("'fail' stops at the failing record with a ProcessingError that says how to skip instead", async () => {
    const { task } = await start(billing())
    const error = await feed(task, batch).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isTributaryError(error, 'TRIBUTARY_PROCESSING')).toBe(true)
    expect((error as Error).message).toContain('in-0@1')
    expect((error as Error).message).toContain('negative amount -5')
    expect((error as Error).message).toContain('processingExceptionHandler')
    // Nothing past the record before the failure is committable.
    expect(await task.prepareCommit()).toEqual([{ topic: 'in', partition: 0, offset: 1n }])
  })

  it("'continue' skips the failing record, counts it, and commits past it", async () => {
    const { task, collector } = await start(billing(), { processingExceptionHandler: 'continue' })
    await feed(task, batch)
    expect(values(collector.recordsOf('out'))).toEqual([2, 6])
    expect(task.metrics()).toMatchObject({ processed: 3, processingErrors: 1 })
    expect(await task.prepareCommit()).toEqual([{ topic: 'in', partition: 0, offset: 3n }])
  })

  it('a dead-letter topic receives the input record as it was read, with the failure headers', async () => {
    const { task, collector } = await start(billing(), { processingExceptionHandler: { deadLetterTopic: 'orders-failed' } })
    await feed(task, batch)
    expect(values(collector.recordsOf('out'))).toEqual([2, 6])
    const [dead, ...more] = collector.recordsOf('orders-failed')
    expect(more).toHaveLength(0)
    expect(dead?.key).toEqual(Buffer.from('b'))
    expect(dead?.value).toEqual(Buffer.from('-5'))
    expect(dead?.timestamp).toBe(2)
    const headers = Object.fromEntries(Object.entries(dead?.headers ?? {}).map(([k, v]) => [k, v.toString()]))
    expect(headers).toEqual({
      trace: 't-2',
      [DEAD_LETTER_HEADERS.topic]: 'in',
      [DEAD_LETTER_HEADERS.partition]: '0',
      [DEAD_LETTER_HEADERS.offset]: '1',
      [DEAD_LETTER_HEADERS.exception]: 'RangeError',
      [DEAD_LETTER_HEADERS.message]: 'negative amount -5',
    })
  })

  it('handles a failing asynchronous processor and a failing punctuation the same way', async () => {
    const b = new StreamsBuilder()
    b.stream<string, number>('in', { keySerde: str, valueSerde: num }).process(
      (): Processor<string, number> => ({
        init: (ctx) => {
          ctx.schedule(10, 'stream-time', (now) => {
            if (now >= 100) throw new Error('punctuation broke')
          })
        },
        process: async (record) => {
          await Promise.resolve()
          if (record.value < 0) throw new Error('async failure')
        },
      }),
    )
    const failing = await start(b.build())
    await expect(feed(failing.task, batch)).rejects.toThrow(/async failure/)
    await failing.task.close({ clean: false })

    const continuing = await start(b.build(), { processingExceptionHandler: 'continue' })
    await feed(continuing.task, [...batch, raw('in', 0, 3, 'd', '4', 200)])
    // The punctuation at stream time 1 passes, the one at 200 throws; with the failing record, two errors.
    expect(continuing.task.metrics()).toMatchObject({ processed: 4, processingErrors: 2, punctuations: 2 })
    expect(await continuing.task.prepareCommit()).toEqual([{ topic: 'in', partition: 0, offset: 4n }])
  })

  it("a sink that cannot serialize fails the task under 'fail' (not skipped by the processing handler)", async () => {
    const broken: Serde<number> = {
      serialize: (value) => {
        if (value > 5) throw new Error(`cannot encode ${value}`)
        return Buffer.from(String(value))
      },
      deserialize: (data) => Number(data.toString()),
    }
    const { task } = await start(billing(broken), { processingExceptionHandler: 'continue' })
    const error = await feed(task, [raw('in', 0, 0, 'a', '1', 1), raw('in', 0, 1, 'c', '3', 3)]).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isTributaryError(error, 'TRIBUTARY_PRODUCTION')).toBe(true)
    expect((error as Error).message).toMatch(/topic "out".*cannot encode 6.*productionExceptionHandler/)
  })

  it("'continue' drops only the record the sink cannot serialize; the input's other outputs still go out", async () => {
    const broken: Serde<number> = {
      serialize: async (value) => {
        if (value > 5) throw new Error(`cannot encode ${value}`)
        return Buffer.from(String(value))
      },
      deserialize: (data) => Number(data.toString()),
    }
    const { task, collector } = await start(billing(broken), { productionExceptionHandler: 'continue' })
    await feed(task, [raw('in', 0, 0, 'a', '1', 1), raw('in', 0, 1, 'c', '3', 3)])
    expect(values(collector.recordsOf('out'))).toEqual([2])
    expect(values(collector.recordsOf('audit'))).toEqual([1, 3])
    expect(task.metrics()).toMatchObject({ processed: 2, productionErrors: 1, processingErrors: 0 })
    expect(await task.prepareCommit()).toEqual([{ topic: 'in', partition: 0, offset: 2n }])
  })
})
