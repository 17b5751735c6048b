import { describe, expect, it } from 'vitest'
import { SerdeError } from '../../src/core/errors.js'
import type { Serde } from '../../src/serde/serde.js'
import { Serdes } from '../../src/serde/serdes.js'

const ctx = { topic: 't', isKey: false }

function roundTrip<T>(serde: Serde<T>, value: T): T {
  return serde.deserialize(serde.serialize(value, ctx) as Buffer, ctx) as T
}

describe('primitive serdes', () => {
  it('round-trips strings including multi-byte characters and the empty string', () => {
    for (const s of ['', 'driver-7', 'Zoë 🚕 東京']) expect(roundTrip(Serdes.string(), s)).toBe(s)
  })

  it('round-trips JSON and rejects malformed JSON with a typed error naming the topic', () => {
    const value = { id: 'r1', lat: 37.77, tags: ['a'], nested: { n: null } }
    expect(roundTrip(Serdes.json<typeof value>(), value)).toEqual(value)
    expect(() => Serdes.json().deserialize(Buffer.from('{"id":'), { topic: 'rides', isKey: false })).toThrow(
      expect.objectContaining({ code: 'TRIBUTARY_SERDE', message: expect.stringContaining('topic "rides"') }),
    )
  })

  it('passes bytes through unchanged', () => {
    const b = Buffer.from([0, 1, 255])
    expect(roundTrip(Serdes.bytes(), b)).toBe(b)
  })

  it('writes int32 big-endian like Kafka and checks range and length', () => {
    expect(Serdes.int32().serialize(1, ctx)).toEqual(Buffer.from([0, 0, 0, 1]))
    for (const n of [0, -1, 2 ** 31 - 1, -(2 ** 31)]) expect(roundTrip(Serdes.int32(), n)).toBe(n)
    expect(() => Serdes.int32().serialize(2 ** 31, ctx)).toThrow(SerdeError)
    expect(() => Serdes.int32().serialize(1.5, ctx)).toThrow(SerdeError)
    expect(() => Serdes.int32().deserialize(Buffer.from([1, 2, 3]), ctx)).toThrow(/must be 4 bytes/)
  })

  it('writes int64 as bigint big-endian at the edges of its range', () => {
    expect(Serdes.int64().serialize(-1n, ctx)).toEqual(Buffer.alloc(8, 0xff))
    for (const n of [0n, 2n ** 63n - 1n, -(2n ** 63n), 9007199254740993n]) expect(roundTrip(Serdes.int64(), n)).toBe(n)
    expect(() => Serdes.int64().serialize(2n ** 63n, ctx)).toThrow(SerdeError)
    expect(() => Serdes.int64().deserialize(Buffer.alloc(4), ctx)).toThrow(SerdeError)
  })

  it('round-trips doubles exactly, including special values', () => {
    for (const n of [0.1, -0, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity]) expect(Object.is(roundTrip(Serdes.float64(), n), n)).toBe(true)
    expect(Number.isNaN(roundTrip(Serdes.float64(), NaN))).toBe(true)
  })

  it('writes UUIDs as their string form and rejects anything else', () => {
    const id = '0b8f5a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b'
    expect(Serdes.uuid().serialize(id.toUpperCase(), ctx).toString()).toBe(id)
    expect(roundTrip(Serdes.uuid(), id)).toBe(id)
    expect(() => Serdes.uuid().serialize('not-a-uuid', ctx)).toThrow(SerdeError)
    expect(() => Serdes.uuid().deserialize(Buffer.from('zz'), ctx)).toThrow(SerdeError)
  })
})

describe('windowed key serdes', () => {
  it('writes time-windowed keys as key + 8-byte start and derives the end from the size', () => {
    const serde = Serdes.timeWindowed(Serdes.string(), 60_000)
    const bytes = serde.serialize({ key: 'cell', window: { start: 120_000, end: 180_000 } }, ctx) as Buffer
    expect(bytes).toEqual(Buffer.concat([Buffer.from('cell'), Buffer.from([0, 0, 0, 0, 0, 1, 0xd4, 0xc0])]))
    expect(serde.deserialize(bytes, ctx)).toEqual({ key: 'cell', window: { start: 120_000, end: 180_000 } })
  })

  it('writes session-windowed keys as key + end + start', () => {
    const serde = Serdes.sessionWindowed(Serdes.string())
    const windowed = { key: 'd1|r1', window: { start: 1_000, end: 61_000 } }
    const bytes = serde.serialize(windowed, ctx) as Buffer
    expect(bytes.length).toBe(5 + 16)
    expect(bytes.readBigInt64BE(5)).toBe(61_000n)
    expect(bytes.readBigInt64BE(13)).toBe(1_000n)
    expect(serde.deserialize(bytes, ctx)).toEqual(windowed)
  })

  it('rejects a windowed key too short to hold its window', () => {
    expect(() => Serdes.timeWindowed(Serdes.string(), 1000).deserialize(Buffer.from('abc'), ctx)).toThrow(SerdeError)
    expect(() => Serdes.sessionWindowed(Serdes.string()).deserialize(Buffer.alloc(15), ctx)).toThrow(SerdeError)
  })
})
