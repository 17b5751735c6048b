import { describe, expect, expectTypeOf, it } from 'vitest'
import type { Windowed } from '../../src/core/windowed.js'
import { SessionWindows, StreamsBuilder, TimeWindows } from '../../src/dsl/index.js'
import type { KStream, KTable } from '../../src/dsl/index.js'

// These checks run at compile time (tsc) as much as at test time: no casts are needed anywhere.
describe('DSL types flow from operator to operator', () => {
  it('infers mapper outputs, tuples included', () => {
    const builder = new StreamsBuilder()
    const rides = builder.stream<string, { km: number; zone: string }>('rides')
    const mapped = rides.map((_id, ride) => [ride.zone, ride.km * 2]).mapValues((km) => km.toFixed(1))
    expectTypeOf(mapped).toEqualTypeOf<KStream<string, string>>()
    const counts = rides.groupBy((_id, ride) => ride.zone).count()
    expectTypeOf(counts).toEqualTypeOf<KTable<string, number>>()
    const windowed = rides.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).aggregate(() => ({ km: 0 }), (_id, r, agg) => ({ km: agg.km + r.km }))
    expectTypeOf(windowed).toEqualTypeOf<KTable<Windowed<string>, { km: number }>>()
    const sessions = rides.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1_000)).count()
    expectTypeOf(sessions).toEqualTypeOf<KTable<Windowed<string>, number>>()
    const perZone = builder.table<string, { zone: string }>('drivers').groupBy((id, d) => [d.zone, id]).aggregate(
      () => [] as string[],
      (_zone, id, ids) => [...ids, id],
      (_zone, id, ids) => ids.filter((other) => other !== id),
    )
    expectTypeOf(perZone).toEqualTypeOf<KTable<string, string[]>>()
    const { fast, rest } = rides.split({ fast: (_id, r) => r.km > 10 }, { defaultBranch: 'rest' })
    expectTypeOf(fast).toEqualTypeOf(rest)
    expect(builder.build().subtopologies.length).toBeGreaterThan(0)
  })
})
