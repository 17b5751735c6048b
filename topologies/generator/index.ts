/**
 * The city data generator: a deterministic simulation of Velocity's ride-sharing city (and of the
 * car repair shop next door) that yields the records its systems send to Kafka. `tributary
 * generate` sends them to a broker; tests pipe them into a TopologyTestDriver.
 */
export type { CityOptions, CityRecord } from './types.js'
export { simulateCity } from './simulation.js'
export { CITY_TOPICS, cityTopics, citySerdes, type CitySerdes, type CityTopic } from './serdes.js'
export { REPAIR_SHOP_TOPICS } from './repair-shop.js'
export { CITY_CENTRE, CITY_RADIUS_KM, DEFAULT_START_MS } from './city.js'
export type { ChangeEvent, ChangeKey, ChangeSource } from './profiles.js'
export { OUT_OF_ORDER_DELAY_MS, LATE_DELAY_MS } from './delivery.js'
export { BREAK_AFTER_RIDE_S, MIN_SPEED_KMH, MAX_SPEED_KMH } from './drivers.js'
