import { describe, expect, expectTypeOf, it } from 'vitest'
import { ConfigError, TopologyError } from '../../src/core/errors.js'
import { GlobalKTable, JoinWindows, StreamsBuilder } from '../../src/dsl/index.js'
import type { KStream, KTable } from '../../src/dsl/index.js'

interface Ride {
  readonly riderId: string
  readonly driverId: string
  readonly fare: number
}
interface Driver {
  readonly name: string
}

describe('join DSL', () => {
  it('JoinWindows: symmetric, asymmetric and validated bounds', () => {
    const w = JoinWindows.ofTimeDifferenceAndGrace(60_000, 5_000)
    expect([w.beforeMs, w.afterMs, w.graceMs, w.sizeMs]).toEqual([60_000, 60_000, 5_000, 120_000])
    const asymmetric = JoinWindows.ofTimeDifferenceWithNoGrace(30_000).before(10_000)
    expect([asymmetric.beforeMs, asymmetric.afterMs, asymmetric.graceMs]).toEqual([10_000, 30_000, 0])
    expect(JoinWindows.ofTimeDifferenceWithNoGrace(100).after(0).afterMs).toBe(0)
    expect(() => JoinWindows.ofTimeDifferenceAndGrace(-1, 0)).toThrow(ConfigError)
    expect(() => JoinWindows.ofTimeDifferenceAndGrace(100, 1.5)).toThrow(ConfigError)
    expect(() => JoinWindows.ofTimeDifferenceWithNoGrace(10).before(-20)).toThrow(/must not be negative/)
    expect(() => JoinWindows.ofTimeDifferenceWithNoGrace(10).after(Number.NaN)).toThrow(ConfigError)
  })

  it('result types follow the joiners; overloads pick the join by their arguments', () => {
    const b = new StreamsBuilder()
    const rides = b.stream<string, Ride>('rides')
    const drivers = b.table<string, Driver>('drivers')
    const riders = b.globalTable<string, { vip: boolean }>('riders')
    const payments = b.stream<string, number>('payments')
    expect(riders).toBeInstanceOf(GlobalKTable)

    expectTypeOf(rides.join(payments, (r, p) => r.fare - p, JoinWindows.ofTimeDifferenceWithNoGrace(1_000))).toEqualTypeOf<KStream<string, number>>()
    expectTypeOf(rides.leftJoin(drivers, (r, d) => d?.name ?? r.driverId)).toEqualTypeOf<KStream<string, string>>()
    expectTypeOf(rides.join(riders, (_k, r) => r.riderId, (r, rider) => rider.vip && r.fare > 0)).toEqualTypeOf<KStream<string, boolean>>()
    const rideTable = b.table<string, Ride>('ride-table')
    expectTypeOf(rideTable.join(drivers, (r) => r.driverId, (r, d) => `${r.fare}:${d.name}`)).toEqualTypeOf<KTable<string, string>>()
    expectTypeOf(rideTable.outerJoin(drivers, (r, d) => [r, d] as const)).toEqualTypeOf<KTable<string, readonly [Ride | null, Driver | null]>>()
    expect(b.build().subtopologies.length).toBeGreaterThan(0)
  })

  it('a stream-stream join without JoinWindows, or with a non-stream, is a clear TopologyError', () => {
    const b = new StreamsBuilder()
    const a = b.stream<string, number>('a')
    const other = b.stream<string, number>('b')
    const join = a.join as unknown as (...args: unknown[]) => unknown
    expect(() => join.call(a, other, (x: number) => x)).toThrow(/needs JoinWindows/)
    expect(() => join.call(a, {}, (x: number) => x)).toThrow(TopologyError)
  })

  it('named joins name their processors, stores and repartition topics after the given name', () => {
    const b = new StreamsBuilder()
    const left = b.stream<string, number>('left').selectKey((_k, v) => String(v))
    const right = b.stream<string, number>('right')
    left.outerJoin(right, (l, r) => (l ?? 0) + (r ?? 0), JoinWindows.ofTimeDifferenceWithNoGrace(10), { name: 'match', storeName: 'match' }).to('out')
    const topology = b.build()
    // An outer join's sides are both "outer" in Kafka's names (KStreamImplJoin).
    expect([...topology.stores.keys()].sort()).toEqual(['match-outer-other-join-store', 'match-outer-shared-join-store', 'match-outer-this-join-store'])
    expect(topology.internalTopics.has('match-left-repartition')).toBe(true)
    expect(topology.internalTopics.has('match-right-repartition')).toBe(false)
    for (const node of ['match-this-windowed', 'match-other-windowed', 'match-outer-this-join', 'match-outer-other-join', 'match-merge']) {
      expect(topology.nodes.has(node)).toBe(true)
    }
  })
})
