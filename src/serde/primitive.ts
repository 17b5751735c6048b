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
