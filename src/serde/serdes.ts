import { avroSerde } from './avro/avro-serde.js'
import { debeziumKeySerde, debeziumSerde } from './debezium.js'
import { bytesSerde, float64Serde, int32Serde, int64Serde, jsonSerde, stringSerde, uuidSerde } from './primitive.js'
import { schemaRegistrySerde } from './schema-registry/schema-registry-serde.js'
import { sessionWindowedSerde, timeWindowedSerde } from './windowed.js'

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
  int32: int32Serde,
  int64: int64Serde,
  float64: float64Serde,
  uuid: uuidSerde,
  timeWindowed: timeWindowedSerde,
  sessionWindowed: sessionWindowedSerde,
  avro: avroSerde,
  schemaRegistry: schemaRegistrySerde,
  debezium: debeziumSerde,
  debeziumKey: debeziumKeySerde,
} as const
