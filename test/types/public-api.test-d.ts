// Checked by the type checker only (vitest's typecheck mode): a change that loosens or breaks
// the types users write against fails here even when every runtime test still passes.
import { describe, expectTypeOf, it } from 'vitest'
import { Serdes, StreamsBuilder, type Headers, type KeyValue, type KStream, type KTable, type StreamRecord } from '../../src/index.js'
import type { Record as DeprecatedRecord } from '../../src/index.js'
import { TopologyTestDriver } from '../../src/testing/index.js'

interface Ride {
  readonly km: number
  readonly zone: string
}
interface Driver {
  readonly name: string
}

describe('the public API types', () => {
  it('StreamRecord has a typed key and value, a timestamp and headers, all read-only', () => {
    expectTypeOf<StreamRecord<string, Ride>>().toEqualTypeOf<{
      readonly key: string
      readonly value: Ride
      readonly timestamp: number
      readonly headers: Headers
    }>()
    expectTypeOf<DeprecatedRecord<string, Ride>>().toEqualTypeOf<StreamRecord<string, Ride>>()
  })

  it('KStream.mapValues infers the new value type and keeps the key type', () => {
    const rides = new StreamsBuilder().stream<string, Ride>('rides')
    expectTypeOf(rides.mapValues((ride) => ride.km)).toEqualTypeOf<KStream<string, number>>()
    expectTypeOf(rides.mapValues((ride, id) => ({ id, zone: ride.zone }))).toEqualTypeOf<KStream<string, { id: string; zone: string }>>()
  })

  it('KTable.join types the joiner from both tables and the result from the joiner', () => {
    const b = new StreamsBuilder()
    const rides = b.table<string, Ride>('rides')
    const drivers = b.table<string, Driver>('drivers')
    const joined = rides.join(drivers, (ride, driver) => {
      expectTypeOf(ride).toEqualTypeOf<Ride>()
      expectTypeOf(driver).toEqualTypeOf<Driver>()
      return `${driver.name}:${ride.km}`
    })
    expectTypeOf(joined).toEqualTypeOf<KTable<string, string>>()
    // A left join may find no row on the right.
    rides.leftJoin(drivers, (_ride, driver) => expectTypeOf(driver).toEqualTypeOf<Driver | null>())
    // A foreign-key join keeps the left table's key.
    const byZone = b.table<number, Driver>('zone-managers')
    expectTypeOf(rides.join(byZone, (ride) => ride.km, (ride, manager) => ({ ride, manager }))).toEqualTypeOf<KTable<string, { ride: Ride; manager: Driver }>>()
  })

  it('TopologyTestDriver output topics read the serdes\' types, null included (tombstones, null keys)', () => {
    const b = new StreamsBuilder()
    b.stream<string, Ride>('rides').to('out')
    const driver = new TopologyTestDriver(b.build())
    const out = driver.createOutputTopic('out', Serdes.string(), Serdes.json<Ride>())
    expectTypeOf(out.readKeyValue()).toEqualTypeOf<KeyValue<string | null, Ride | null>>()
    expectTypeOf(out.readKeyValue()).toEqualTypeOf<readonly [key: string | null, value: Ride | null]>()
    expectTypeOf(out.readRecord()).toEqualTypeOf<StreamRecord<string | null, Ride | null>>()
    expectTypeOf(out.readKeyValuesToMap()).toEqualTypeOf<Map<string | null, Ride | null>>()
  })
})
