// KIP-149 ValueJoinerWithKey: which key each kind of stream join passes, and the errors of joiners
// that are not joiners. Kafka Streams' own tests are in test/conformance/KStreamImplValueJoinerWithKeyTest.
import { afterEach, describe, expect, it } from 'vitest'
import { TopologyError } from '../../src/core/errors.js'
import { JoinWindows, StreamsBuilder, withKey } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'

const str = Serdes.string()
const strings = { keySerde: str, valueSerde: str }
// The key, the two values, and which of them is null: `k|l|r`.
const show = (key: string | null, left: string | null, right: string | null): string => `${key}|${left}|${right}`

describe('ValueJoinerWithKey (withKey)', () => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  function start(builder: StreamsBuilder): void {
    driver = new TopologyTestDriver(builder.build())
  }
  function input(topic: string) {
    return driver!.createInputTopic(topic, str, str)
  }
  function output(): [string | null, string | null, number][] {
    return driver!.createOutputTopic('out', str, str).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])
  }

  it('stream-stream join: the common key, with the values in left-right order whichever side arrives last', async () => {
    const b = new StreamsBuilder()
    const left = b.stream<string, string>('left', strings)
    left.join(b.stream<string, string>('right', strings), withKey(show), JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('out', strings)
    start(b)
    await input('left').pipeInput('k1', 'a', 100)
    await input('right').pipeInput('k1', 'b', 105)
    await input('right').pipeInput('k2', 'c', 106)
    await input('left').pipeInput('k2', 'd', 107)
    expect(output()).toEqual([
      ['k1', 'k1|a|b', 105],
      ['k2', 'k2|d|c', 107],
    ])
  })

  it('stream-stream left join: an unmatched record, emitted once its window closed, gets its own key; a keyless one gets null', async () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('left', strings)
      .leftJoin(b.stream<string, string>('right', strings), withKey(show), JoinWindows.ofTimeDifferenceWithNoGrace(10))
      .to('out', strings)
    start(b)
    await input('left').pipeInput('k1', 'a', 100)
    await input('left').pipeInput(null, 'n', 101)
    // Stream time past 100 + 10: the window of `a` has closed.
    await input('left').pipeInput('k9', 'z', 200)
    expect(output()).toEqual([
      [null, 'null|n|null', 101],
      ['k1', 'k1|a|null', 100],
    ])
  })

  it('stream-stream outer join: an unmatched record of the right side gets its key, with null on the left', async () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('left', strings)
      .outerJoin(b.stream<string, string>('right', strings), withKey(show), JoinWindows.ofTimeDifferenceWithNoGrace(10))
      .to('out', strings)
    start(b)
    await input('right').pipeInput('k1', 'b', 100)
    await input('right').pipeInput('k9', 'z', 200)
    expect(output()).toEqual([['k1', 'k1|null|b', 100]])
  })

  it('stream-table join and left join: the stream record\'s key; a keyless record of a left join gets null', async () => {
    const b = new StreamsBuilder()
    const stream = b.stream<string, string>('stream', strings)
    const table = b.table<string, string>('table', strings)
    stream.join(table, withKey(show)).to('out', strings)
    stream.leftJoin(table, withKey((key: string | null, value: string, row: string | null) => `left:${show(key, value, row)}`)).to('out', strings)
    start(b)
    await input('table').pipeInput('k1', 'row1', 1)
    await input('stream').pipeInput('k1', 'a', 2)
    await input('stream').pipeInput('k2', 'b', 3)
    await input('stream').pipeInput(null, 'c', 4)
    expect(output()).toEqual([
      ['k1', 'k1|a|row1', 2],
      ['k1', 'left:k1|a|row1', 2],
      ['k2', 'left:k2|b|null', 3],
      [null, 'left:null|c|null', 4],
    ])
  })

  it('stream-globalTable join: the stream record\'s key, not the key mapped into the global table', async () => {
    const b = new StreamsBuilder()
    const riders = b.globalTable<string, string>('riders', strings)
    const rides = b.stream<string, string>('rides', strings)
    rides.join(riders, (_rideId, riderId) => riderId, withKey(show)).to('out', strings)
    rides.leftJoin(riders, (_rideId, riderId) => riderId, withKey((rideId: string, riderId: string, rider: string | null) => `left:${show(rideId, riderId, rider)}`)).to('out', strings)
    start(b)
    await input('riders').pipeInput('u1', 'Ana', 1)
    await input('rides').pipeInput('ride-1', 'u1', 2)
    await input('rides').pipeInput('ride-2', 'u2', 3)
    expect(output()).toEqual([
      ['ride-1', 'ride-1|u1|Ana', 2],
      ['ride-1', 'left:ride-1|u1|Ana', 2],
      ['ride-2', 'left:ride-2|u2|null', 3],
    ])
  })

  it('plain (value1, value2) joiners still get the two values only, whatever their arity', async () => {
    const b = new StreamsBuilder()
    const stream = b.stream<string, string>('stream', strings)
    const seen: unknown[][] = []
    stream.join(b.table<string, string>('table', strings), (...args: unknown[]) => {
      seen.push(args)
      return 'x'
    }).to('out', strings)
    start(b)
    await input('table').pipeInput('k1', 'row1', 1)
    await input('stream').pipeInput('k1', 'a', 2)
    expect(seen).toEqual([['a', 'row1']])
  })

  it('a plain joiner with an optional third parameter is still a ValueJoiner (arity decides nothing)', async () => {
    const b = new StreamsBuilder()
    const joiner = (value: string, row: string, separator?: string): string => `${value}${separator ?? '+'}${row}`
    expect(joiner.length).toBe(3)
    b.stream<string, string>('stream', strings).join(b.table<string, string>('table', strings), joiner).to('out', strings)
    start(b)
    await input('table').pipeInput('k1', 'row1', 1)
    await input('stream').pipeInput('k1', 'a', 2)
    expect(output()).toEqual([['k1', 'a+row1', 2]])
  })

  it('a joiner made by another copy of the package (same registered symbol) is recognized', async () => {
    const b = new StreamsBuilder()
    const foreign = { [Symbol.for('tributary.valueJoinerWithKey')]: show } as unknown as ReturnType<typeof withKey<string, string, string, string>>
    b.stream<string, string>('stream', strings).join(b.table<string, string>('table', strings), foreign).to('out', strings)
    start(b)
    await input('table').pipeInput('k1', 'row1', 1)
    await input('stream').pipeInput('k1', 'a', 2)
    expect(output()).toEqual([['k1', 'k1|a|row1', 2]])
  })

  it('what is no joiner is a TopologyError at the join, saying what to pass', () => {
    const b = new StreamsBuilder()
    const stream = b.stream<string, string>('stream')
    const other = b.stream<string, string>('other')
    const table = b.table<string, string>('table')
    const global = b.globalTable<string, string>('global')
    const windows = JoinWindows.ofTimeDifferenceWithNoGrace(10)
    const untyped = stream as unknown as { [op: string]: (...args: unknown[]) => unknown }
    for (const [op, args] of [
      ['join', [other, null, windows]],
      ['leftJoin', [table, undefined]],
      ['outerJoin', [other, { apply: (k: unknown) => k }, windows]],
      ['join', [global, (k: unknown) => k, 'joiner']],
    ] as const) {
      expect(() => untyped[op]!.call(stream, ...args)).toThrow(TopologyError)
      expect(() => untyped[op]!.call(stream, ...args)).toThrow(/pass \(value1, value2\) => result, or withKey\(\(readOnlyKey, value1, value2\) => result\)/)
    }
    expect(() => untyped.join!.call(stream, table, { apply: (k: unknown) => k })).toThrow(/joiner can't be a value of type object/)
    expect(() => untyped.leftJoin!.call(stream, global, (k: unknown) => k, undefined)).toThrow(/joiner can't be undefined/)
    expect(() => withKey('nope' as unknown as () => string)).toThrow(TopologyError)
  })

  it('table joins take (value1, value2) joiners only, as in Kafka Streams: a withKey joiner is a TopologyError', () => {
    const b = new StreamsBuilder()
    const table = b.table<string, string>('table')
    const other = b.table<string, string>('other')
    const untyped = table as unknown as { [op: string]: (...args: unknown[]) => unknown }
    const joiner = withKey(show)
    expect(() => untyped.join!.call(table, other, joiner)).toThrow(TopologyError)
    expect(() => untyped.leftJoin!.call(table, other, joiner)).toThrow(/ValueJoinerWithKey is for KStream joins/)
    expect(() => untyped.outerJoin!.call(table, other, joiner)).toThrow(/mapValues\(\(value, key\)/)
    // Foreign-key joins: the joiner is the third argument.
    expect(() => untyped.join!.call(table, other, (v: string) => v, joiner)).toThrow(/table\.join\(\): table joins take a joiner/)
    expect(() => untyped.leftJoin!.call(table, other, (v: string) => v, joiner)).toThrow(TopologyError)
  })
})
