import { ConfigError, Serdes, type Serde } from '../../src/index.js'
import { appointmentBookedSchema, paymentRegisteredSchema, ticketOpenedSchema } from '../repair-shop/schemas.js'
import { VELOCITY_TOPICS } from '../velocity/domain.js'
import type { TopologyContext } from '../types.js'
import { REPAIR_SHOP_TOPICS } from './repair-shop.js'

/** The topics the city writes: the ride-sharing inputs, then the repair shop's (only with `repairShop`). */
export const CITY_TOPICS = [
  VELOCITY_TOPICS.vehicleLocations,
  VELOCITY_TOPICS.driverProfiles,
  VELOCITY_TOPICS.riderProfiles,
  VELOCITY_TOPICS.rideRequests,
  REPAIR_SHOP_TOPICS.tickets,
  REPAIR_SHOP_TOPICS.appointments,
  REPAIR_SHOP_TOPICS.payments,
] as const

export type CityTopic = (typeof CITY_TOPICS)[number]

/** The topics a run with these options writes. */
export function cityTopics(options: { readonly repairShop?: boolean } = {}): readonly CityTopic[] {
  return options.repairShop === true ? CITY_TOPICS : CITY_TOPICS.slice(0, 4)
}

export interface CitySerdes {
  readonly keySerde: Serde<unknown>
  readonly valueSerde: Serde<unknown>
}

const avroSchemas = {
  [REPAIR_SHOP_TOPICS.tickets]: ticketOpenedSchema,
  [REPAIR_SHOP_TOPICS.appointments]: appointmentBookedSchema,
  [REPAIR_SHOP_TOPICS.payments]: paymentRegisteredSchema,
} as const

/**
 * How the city's systems write each topic. Location pings and ride requests: string keys, JSON
 * values. Profiles: Debezium change events as the JSON converter without schemas writes them,
 * key `{ "id": ... }`, the value the whole envelope (read them back with `Serdes.debeziumKey` and
 * `Serdes.debezium`). Repair shop: string keys (the ticket id), Avro values in the schema
 * registry's wire format, subjects named after the topic (`tickets-value`).
 *
 * A null value (a tombstone after a delete) never reaches a serde: write null bytes for it.
 *
 * @example
 * const { keySerde, valueSerde } = citySerdes('tickets', { schemaRegistryUrl: registry.url })
 */
export function citySerdes(topic: string, context: Pick<TopologyContext, 'schemaRegistryUrl' | 'schemaRegistryAccess'> = {}): CitySerdes {
  switch (topic) {
    case VELOCITY_TOPICS.vehicleLocations:
    case VELOCITY_TOPICS.rideRequests:
      return { keySerde: Serdes.string() as Serde<unknown>, valueSerde: Serdes.json() }
    case VELOCITY_TOPICS.driverProfiles:
    case VELOCITY_TOPICS.riderProfiles:
      return { keySerde: Serdes.json(), valueSerde: Serdes.json() }
    case REPAIR_SHOP_TOPICS.tickets:
    case REPAIR_SHOP_TOPICS.appointments:
    case REPAIR_SHOP_TOPICS.payments: {
      const url = context.schemaRegistryUrl
      if (url === undefined) {
        throw new ConfigError(`Topic "${topic}" holds Avro in a schema registry: pass schemaRegistryUrl (e.g. http://127.0.0.1:8081).`)
      }
      return {
        keySerde: Serdes.string() as Serde<unknown>,
        valueSerde: Serdes.schemaRegistry<unknown>({ ...context.schemaRegistryAccess, url, schema: avroSchemas[topic], subjectNameStrategy: 'topic' }),
      }
    }
    default:
      throw new ConfigError(`The city does not write topic "${topic}"; its topics are ${CITY_TOPICS.join(', ')}.`)
  }
}
