// Checked by the type checker only: the joiners of KStream joins, Kafka's ValueJoiner and
// ValueJoinerWithKey (withKey), infer their parameters from the join and the result from the joiner.
import { describe, expectTypeOf, it } from 'vitest'
import { JoinWindows, StreamsBuilder, withKey, type KStream, type KTable, type ValueJoiner, type ValueJoinerWithKey } from '../../src/index.js'

interface Ride {
  readonly km: number
  readonly riderId: number
}
interface Driver {
  readonly name: string
}

const windows = JoinWindows.ofTimeDifferenceWithNoGrace(1_000)

describe('ValueJoinerWithKey (withKey) in the public API types', () => {
  it('withKey joiners get the stream key and both values, typed per join kind', () => {
    const b = new StreamsBuilder()
    const rides = b.stream<string, Ride>('rides')
    const shifts = b.stream<string, Driver>('shifts')
    const drivers = b.table<string, Driver>('drivers')
    const riders = b.globalTable<number, Driver>('riders')

    const joined = rides.join(shifts, withKey((id, ride, driver) => {
      expectTypeOf(id).toEqualTypeOf<string>()
      expectTypeOf(ride).toEqualTypeOf<Ride>()
      expectTypeOf(driver).toEqualTypeOf<Driver>()
      return { id, km: ride.km, name: driver.name }
    }), windows)
    expectTypeOf(joined).toEqualTypeOf<KStream<string, { id: string; km: number; name: string }>>()

    rides.leftJoin(shifts, withKey((id, ride, driver) => {
      expectTypeOf(id).toEqualTypeOf<string>()
      expectTypeOf(ride).toEqualTypeOf<Ride>()
      expectTypeOf(driver).toEqualTypeOf<Driver | null>()
    }), windows)
    const outer = rides.outerJoin(shifts, withKey((id, ride, driver) => {
      expectTypeOf(ride).toEqualTypeOf<Ride | null>()
      expectTypeOf(driver).toEqualTypeOf<Driver | null>()
      return `${id}:${ride?.km}:${driver?.name}`
    }), windows)
    expectTypeOf(outer).toEqualTypeOf<KStream<string, string>>()

    expectTypeOf(rides.join(drivers, withKey((id, ride, driver) => [id, ride, driver] as const))).toEqualTypeOf<KStream<string, readonly [string, Ride, Driver]>>()
    expectTypeOf(rides.leftJoin(drivers, withKey((id, ride, driver) => [id, ride, driver] as const))).toEqualTypeOf<KStream<string, readonly [string, Ride, Driver | null]>>()

    // A global-table joiner gets the stream's key (string), not the key mapped into the table (number).
    const withRider = rides.join(riders, (_id, ride) => ride.riderId, withKey((id, ride, rider) => {
      expectTypeOf(id).toEqualTypeOf<string>()
      expectTypeOf(rider).toEqualTypeOf<Driver>()
      return ride.km
    }))
    expectTypeOf(withRider).toEqualTypeOf<KStream<string, number>>()
    rides.leftJoin(riders, (_id, ride) => ride.riderId, withKey((_id, _ride, rider) => expectTypeOf(rider).toEqualTypeOf<Driver | null>()))
  })

  it('plain (value1, value2) joiners keep their types', () => {
    const b = new StreamsBuilder()
    const rides = b.stream<string, Ride>('rides')
    const drivers = b.table<string, Driver>('drivers')
    expectTypeOf(rides.join(drivers, (ride, driver) => `${ride.km}${driver.name}`)).toEqualTypeOf<KStream<string, string>>()
    rides.leftJoin(drivers, (_ride, driver) => expectTypeOf(driver).toEqualTypeOf<Driver | null>())
    const joiner: ValueJoiner<Ride, Driver, number> = (ride) => ride.km
    expectTypeOf(rides.join(drivers, joiner)).toEqualTypeOf<KStream<string, number>>()
  })

  it('declared joiners: wider parameter types are accepted (Java\'s `? super`), others are not', () => {
    const b = new StreamsBuilder()
    const rides = b.stream<string, Ride>('rides')
    const drivers = b.table<string, Driver>('drivers')
    const anyKey: ValueJoinerWithKey<unknown, Ride, Driver | null, number> = withKey((_k: unknown, ride: Ride) => ride.km)
    expectTypeOf(rides.join(drivers, anyKey)).toEqualTypeOf<KStream<string, number>>()
    expectTypeOf(rides.leftJoin(drivers, anyKey)).toEqualTypeOf<KStream<string, number>>()
    // @ts-expect-error the stream's key is a string
    rides.join(drivers, withKey((k: number, ride: Ride) => k + ride.km))
    // @ts-expect-error a left join's table value may be null
    rides.leftJoin(drivers, withKey((_k: string, _ride: Ride, driver: Driver) => driver.name))
    // @ts-expect-error Kafka's (key, value1, value2) lambda must be wrapped in withKey
    rides.join(drivers, (k: string, ride: Ride, driver: Driver) => `${k}${ride.km}${driver.name}`)
  })

  it('table joins take ValueJoiner only, as in Kafka Streams', () => {
    const b = new StreamsBuilder()
    const rides = b.table<string, Ride>('rides')
    const drivers = b.table<string, Driver>('drivers')
    expectTypeOf(rides.join(drivers, (ride, driver) => driver.name + ride.km)).toEqualTypeOf<KTable<string, string>>()
    // @ts-expect-error no ValueJoinerWithKey for table-table joins
    rides.join(drivers, withKey((k: string, ride: Ride, driver: Driver) => k + driver.name + ride.km))
    // @ts-expect-error nor for foreign-key joins
    rides.join(b.table<number, Driver>('riders'), (ride) => ride.riderId, withKey((k: string, _ride: Ride, driver: Driver) => k + driver.name))
  })
})
