import { SerdeError } from '../core/errors.js'
import type { Serde } from './serde.js'

export function stringSerde(): Serde<string> {
  return {
    serialize: (value) => Buffer.from(value, 'utf8'),
    deserialize: (data) => data.toString('utf8'),
  }
}

export function jsonSerde<T>(): Serde<T> {
  return {
    serialize: (value) => Buffer.from(JSON.stringify(value), 'utf8'),
    deserialize: (data, context) => {
      try {
        return JSON.parse(data.toString('utf8')) as T
      } catch (cause) {
        throw new SerdeError(
          `Could not parse JSON ${context.isKey ? 'key' : 'value'} of a record from topic "${context.topic}" ` +
            `(${data.length} bytes). Check the producer's format, or set a deserializationExceptionHandler ` +
            `to skip or dead-letter such records.`,
          { cause },
        )
      }
    },
  }
}

export function bytesSerde(): Serde<Buffer> {
  return { serialize: (value) => value, deserialize: (data) => data }
}

function expectLength(data: Buffer, length: number, what: string, context: { topic: string; isKey: boolean }): void {
  if (data.length !== length) {
    throw new SerdeError(
      `A ${what} ${context.isKey ? 'key' : 'value'} must be ${length} bytes, but a record on topic ` +
        `"${context.topic}" has ${data.length}. Use the serde its producer used.`,
    )
  }
}

/** 32-bit signed integers, big-endian (Kafka's IntegerSerializer). */
export function int32Serde(): Serde<number> {
  return {
    serialize(value, context) {
      if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
        throw new SerdeError(`Serdes.int32() cannot write ${value} for topic "${context.topic}": not a 32-bit integer. Use Serdes.int64().`)
      }
      const out = Buffer.allocUnsafe(4)
      out.writeInt32BE(value)
      return out
    },
    deserialize(data, context) {
      expectLength(data, 4, 'int32', context)
      return data.readInt32BE(0)
    },
  }
}

/** 64-bit signed integers as bigint, big-endian (Kafka's LongSerializer). */
export function int64Serde(): Serde<bigint> {
  return {
    serialize(value, context) {
      if (typeof value !== 'bigint' || value < -(2n ** 63n) || value >= 2n ** 63n) {
        throw new SerdeError(`Serdes.int64() needs a bigint in the signed 64-bit range for topic "${context.topic}", got ${String(value)}.`)
      }
      const out = Buffer.allocUnsafe(8)
      out.writeBigInt64BE(value)
      return out
    },
    deserialize(data, context) {
      expectLength(data, 8, 'int64', context)
      return data.readBigInt64BE(0)
    },
  }
}

/** IEEE 754 doubles, big-endian (Kafka's DoubleSerializer). */
export function float64Serde(): Serde<number> {
  return {
    serialize(value) {
      const out = Buffer.allocUnsafe(8)
      out.writeDoubleBE(value)
      return out
    },
    deserialize(data, context) {
      expectLength(data, 8, 'float64', context)
      return data.readDoubleBE(0)
    },
  }
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** UUIDs as their 36-character string (Kafka's UUIDSerializer), validated both ways. */
export function uuidSerde(): Serde<string> {
  return {
    serialize(value, context) {
      if (!UUID_PATTERN.test(value)) throw new SerdeError(`Serdes.uuid() cannot write "${value}" for topic "${context.topic}": not a UUID.`)
      return Buffer.from(value.toLowerCase(), 'latin1')
    },
    deserialize(data, context) {
      const text = data.toString('latin1')
      if (!UUID_PATTERN.test(text)) {
        throw new SerdeError(`A record on topic "${context.topic}" has a ${context.isKey ? 'key' : 'value'} that is not a UUID string (${data.length} bytes).`)
      }
      return text.toLowerCase()
    },
  }
}
