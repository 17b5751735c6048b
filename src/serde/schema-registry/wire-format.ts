import { SerdeError } from '../../core/errors.js'

/** Confluent's wire format: magic byte 0, a 4-byte big-endian schema id, then the payload. */
export const MAGIC_BYTE = 0
export const HEADER_SIZE = 5

export function readSchemaId(data: Buffer, what: string): number {
  if (data.length < HEADER_SIZE) {
    throw new SerdeError(
      `${what} is ${data.length} bytes, too short for the schema registry wire format (magic byte + 4-byte schema id). ` +
        'Was it written without the schema registry serde?',
    )
  }
  if (data[0] !== MAGIC_BYTE) {
    throw new SerdeError(
      `${what} starts with byte ${data[0]}, not the schema registry magic byte 0. ` +
        'It was not written in Confluent wire format: use the serde its producer used.',
    )
  }
  return data.readUInt32BE(1)
}

export function withSchemaId(schemaId: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + payload.length)
  out[0] = MAGIC_BYTE
  out.writeUInt32BE(schemaId, 1)
  payload.copy(out, HEADER_SIZE)
  return out
}
