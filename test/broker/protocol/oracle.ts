import { Reader as PlatformaticReader } from '../../../node_modules/@platformatic/kafka/dist/protocol/reader.js'
import type { Writer as PlatformaticWriter } from '../../../node_modules/@platformatic/kafka/dist/protocol/writer.js'
import { Reader, Writer } from '../../../src/broker/protocol/primitives.js'
import { codecFor, type Message } from '../../../src/broker/protocol/schema-codec.js'

/**
 * Helpers that run @platformatic/kafka's own request builders and response parsers against the
 * broker's codec: an independent implementation of the same wire format.
 */
export function decodeRequest(name: string, version: number, built: PlatformaticWriter): Message {
  const bytes = built.buffer
  const reader = new Reader(bytes)
  const message = codecFor(`${name}Request`).decode(reader, version)
  if (reader.remaining !== 0) throw new Error(`${name} v${version}: ${reader.remaining} bytes left after decoding`)
  return message
}

export function encodeResponse(name: string, version: number, message: Message): PlatformaticReader {
  const w = new Writer()
  codecFor(`${name}Response`).encode(w, version, message)
  return PlatformaticReader.from(w.toBuffer())
}
