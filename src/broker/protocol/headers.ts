import { Reader, Writer } from './primitives.js'
import { ApiKey } from './api-keys.js'

export interface RequestHeader {
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: string | null
}

/**
 * Reads the fixed part of a request header (v1: key, version, correlation id, client id; the
 * client id is a classic nullable string even in flexible versions). The tagged fields of header
 * v2 are read by `skipHeaderTags` once the api's flexible range is known.
 */
export function readRequestHeader(r: Reader): RequestHeader {
  const apiKey = r.int16()
  const apiVersion = r.int16()
  const correlationId = r.int32()
  const clientId = r.string(false)
  return { apiKey, apiVersion, correlationId, clientId }
}

/** Skips the tagged fields of a v2 request header; none are defined that the broker needs. */
export function skipHeaderTags(r: Reader): void {
  const count = r.uvarint()
  for (let i = 0; i < count; i++) {
    r.uvarint()
    r.skip(r.uvarint())
  }
}

/**
 * Writes a response header: v1 (with tagged fields) for flexible versions, v0 otherwise.
 * ApiVersions always answers with header v0 so that a client can parse the reply before it knows
 * which versions the broker speaks.
 */
export function writeResponseHeader(w: Writer, apiKey: number, correlationId: number, flexible: boolean): void {
  w.int32(correlationId)
  if (flexible && apiKey !== ApiKey.ApiVersions) w.uvarint(0)
}
