import { describe, expect, it } from 'vitest'
import { isTributaryError } from '../../src/core/errors.js'
import { StreamsBuilder, TimeWindows } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'

function buildError(configure: (builder: StreamsBuilder) => void): Error {
  const builder = new StreamsBuilder()
  configure(builder)
  try {
    builder.build()
  } catch (error) {
    expect(isTributaryError(error, 'TRIBUTARY_TOPOLOGY')).toBe(true)
    return error as Error
  }
  throw new Error('expected build() to fail')
}

describe('build() rejects DSL misuse with a TopologyError naming the operator', () => {
  it('duplicate operator names', () => {
    const error = buildError((b) => {
      const s = b.stream<string, string>('in')
      s.filter(() => true, { name: 'only-rides' }).to('a')
      s.filter(() => false, { name: 'only-rides' }).to('b')
    })
    expect(error.message).toContain('"only-rides"')
  })

  it('duplicate store names', () => {
    const error = buildError((b) => {
      const g = b.stream<string, string>('in').groupByKey()
      g.count({ storeName: 'counts' })
      g.windowedBy(TimeWindows.ofSizeWithNoGrace(1_000)).count({ storeName: 'counts' })
    })
    expect(error.message).toContain('"counts"')
  })

  it('a processor using a store that was never added', () => {
    const error = buildError((b) => {
      b.stream<string, string>('in').process(() => ({ process: () => undefined }), { name: 'dedupe', stores: ['seen'] })
    })
    expect(error.message).toContain('"dedupe"')
    expect(error.message).toContain('"seen"')
  })

  it('a topic read by a stream and by a table', () => {
    const error = buildError((b) => {
      b.stream<string, string>('drivers').to('x')
      b.table<string, string>('drivers')
    })
    expect(error.message).toContain('"drivers"')
  })

  it('the same topic read twice with different serdes', () => {
    const error = buildError((b) => {
      b.stream<string, string>('in', { valueSerde: Serdes.string() }).to('a')
      b.stream<string, Buffer>('in', { valueSerde: Serdes.bytes() }).to('b')
    })
    expect(error.message).toContain('[in]')
  })
})

describe('window definitions validate their durations', () => {
  it('rejects a zero size and an advance larger than the size', () => {
    expect(() => TimeWindows.ofSizeWithNoGrace(0)).toThrow(/positive whole number of milliseconds/)
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(11)).toThrow(/must not exceed the window size/)
  })
})
