/**
 * repair-shop: the car repair shop's ticketing system. Tickets, appointments and payments (Avro in
 * a schema registry) are joined per ticket; a ticket is closed once all three have arrived.
 */
import { ConfigError, Serdes } from '../../src/index.js'
import type { BundledTopology } from '../types.js'
import { repairShopSerdes, repairShopTopology } from './topology.js'
import { SHOP_STORES, SHOP_TOPICS, type ClosedTicketSummary } from './types.js'

export { repairShopTopology, repairShopSerdes } from './topology.js'
export { addDecimals } from './decimal.js'
export { fullName, summaryOf } from './events.js'
export { closeOnce } from './close-once.js'
export * from './schemas.js'
export * from './types.js'

export const bundled: BundledTopology = {
  name: 'repair-shop',
  description: 'Closes repair tickets once their appointment and payment have arrived, in any order (Avro, schema registry)',
  build(context) {
    const schemaRegistryUrl = context.schemaRegistryUrl
    if (schemaRegistryUrl === undefined) {
      throw new ConfigError('The repair-shop topology reads Avro from a schema registry: give it a schema registry URL (e.g. http://127.0.0.1:8081).')
    }
    return {
      topology: repairShopTopology({ schemaRegistryUrl, ...(context.schemaRegistryAccess === undefined ? {} : { schemaRegistryAccess: context.schemaRegistryAccess }) }),
      inputs: [SHOP_TOPICS.tickets, SHOP_TOPICS.appointments, SHOP_TOPICS.payments],
      outputs: [
        { topic: SHOP_TOPICS.ticketClosed, keySerde: Serdes.string(), valueSerde: repairShopSerdes(schemaRegistryUrl, context.schemaRegistryAccess).ticketClosed },
        { topic: SHOP_TOPICS.closedTicketSummaries, keySerde: Serdes.string(), valueSerde: Serdes.json<ClosedTicketSummary>() },
      ],
      stores: [SHOP_STORES.tickets, SHOP_STORES.appointments, SHOP_STORES.payments, SHOP_STORES.closed],
    }
  },
}
