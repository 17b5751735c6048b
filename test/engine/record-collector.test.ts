import { describe, expect, it } from 'vitest'
import { isTributaryError } from '../../src/core/errors.js'
import { TaskRecordCollector } from '../../src/engine/record-collector.js'
import type { Serde } from '../../src/serde/serde.js'
import { Serdes } from '../../src/serde/serdes.js'
import { FakeCollector } from '../runtime/fixtures.js'

const str = Serdes.string() as Serde<unknown>

/** Serializes numbers, throwing above 5; `async` answers with promises, as a registry serde does. */
function picky(async: boolean): Serde<unknown> {
  const encode = (value: unknown) => {
    if ((value as number) > 5) throw new Error(`cannot encode ${String(value)}`)
    return Buffer.from(String(value))
  }
  return {
    serialize: (value) => (async ? Promise.resolve().then(() => encode(value)) : encode(value)),
    deserialize: (data) => Number(data.toString()),
  }
}

function collector(handler: 'fail' | 'continue') {
  const writer = new FakeCollector()
  let dropped = 0
  const collect = new TaskRecordCollector('0_1', writer, handler, () => {
    dropped++
  })
  return { writer, collect, dropped: () => dropped }
}

describe('TaskRecordCollector', () => {
  it('serializes key and value with the serdes it is given and writes the bytes; null stays a tombstone', async () => {
    const { writer, collect } = collector('fail')
    const headers = { trace: Buffer.from('t') }
    collect.send('out', 'k', 3, 7, headers, str, picky(false))
    await collect.send('out', 'k', null, 8, {}, str, picky(true))
    collect.send('out', undefined, 1, 9, {}, str, picky(false))
    expect(writer.recordsOf('out')).toEqual([
      { topic: 'out', key: Buffer.from('k'), value: Buffer.from('3'), timestamp: 7, headers },
      { topic: 'out', key: Buffer.from('k'), value: null, timestamp: 8, headers: {} },
      { topic: 'out', key: null, value: Buffer.from('1'), timestamp: 9, headers: {} },
    ])
  })

  it.each([false, true])("'fail' throws a ProductionError naming the topic, the task and the side (async serde: %s)", async (async) => {
    const { writer, collect } = collector('fail')
    const valueError = await Promise.resolve()
      .then(() => collect.send('out', 'k', 6, 1, {}, str, picky(async)))
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(isTributaryError(valueError, 'TRIBUTARY_PRODUCTION')).toBe(true)
    expect((valueError as Error).message).toMatch(/topic "out" could not be serialized \(task 0_1, value\): cannot encode 6/)
    const keyError = await Promise.resolve()
      .then(() => collect.send('out', 9, 1, 1, {}, picky(async), picky(false)))
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect((keyError as Error).message).toMatch(/task 0_1, key/)
    expect(writer.recordsOf('out')).toEqual([])
  })

  it.each([false, true])("'continue' drops only the record that cannot be serialized and counts it (async serde: %s)", async (async) => {
    const { writer, collect, dropped } = collector('continue')
    await collect.send('out', 'a', 1, 1, {}, str, picky(async))
    await collect.send('out', 'b', 6, 2, {}, str, picky(async))
    await collect.send('out', 'c', 2, 3, {}, str, picky(async))
    expect(writer.recordsOf('out').map((r) => r.key?.toString())).toEqual(['a', 'c'])
    expect(dropped()).toBe(1)
  })
})
