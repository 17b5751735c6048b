import { bytesSerde, jsonSerde, stringSerde } from './primitive.js'

/**
 * Factories of the built-in serdes.
 *
 * @example
 * builder.stream('rides', { keySerde: Serdes.string(), valueSerde: Serdes.json<Ride>() })
 */
export const Serdes = {
  string: stringSerde,
  json: jsonSerde,
  bytes: bytesSerde,
} as const
