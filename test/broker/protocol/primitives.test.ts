import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../../../src/broker/errors.js'
import { Reader, Writer } from '../../../src/broker/protocol/primitives.js'

describe('wire primitives', () => {
  it('round-trips varints and varlongs including negatives and extremes', () => {
    const ints = [0, 1, -1, 63, -64, 64, 300, -300, 2 ** 31 - 1, -(2 ** 31)]
    const longs = [0n, -1n, 1n, 2n ** 63n - 1n, -(2n ** 63n), 1234567890123n]
    const w = new Writer(4)
    for (const v of ints) w.varint(v)
    for (const v of longs) w.varlong(v)
    w.uvarint(2 ** 32 - 1)
    const r = new Reader(w.toBuffer())
    expect(ints.map(() => r.varint())).toEqual(ints)
    expect(longs.map(() => r.varlong())).toEqual(longs)
    expect(r.uvarint()).toBe(2 ** 32 - 1)
    expect(r.remaining).toBe(0)
  })

  it('uses Kafka zigzag bytes (1 -> 0x02, -1 -> 0x01)', () => {
    expect(new Writer().varint(1).toBuffer()).toEqual(Buffer.from([2]))
    expect(new Writer().varint(-1).toBuffer()).toEqual(Buffer.from([1]))
    expect(new Writer().uvarint(300).toBuffer()).toEqual(Buffer.from([0xac, 0x02]))
  })

  it('encodes compact and classic strings, bytes and arrays with null', () => {
    const w = new Writer()
    w.string('héllo', true).string(null, true).string('x', false).string(null, false)
    w.bytes(Buffer.from([1, 2]), true).bytes(null, true).bytes(Buffer.from([3]), false).bytes(null, false)
    w.arrayLength(2, true).arrayLength(null, true).arrayLength(0, false).arrayLength(null, false)
    w.uuid('01234567-89ab-cdef-0123-456789abcdef')
    const r = new Reader(w.toBuffer())
    expect([r.string(true), r.string(true), r.string(false), r.string(false)]).toEqual(['héllo', null, 'x', null])
    expect([r.bytes(true), r.bytes(true), r.bytes(false), r.bytes(false)]).toEqual([Buffer.from([1, 2]), null, Buffer.from([3]), null])
    // The array counts are checked against the bytes left; read them last before the uuid.
    expect(r.arrayLength(true)).toBe(2)
    expect(r.arrayLength(true)).toBeNull()
    expect(r.arrayLength(false)).toBe(0)
    expect(r.arrayLength(false)).toBeNull()
    expect(r.uuid()).toBe('01234567-89ab-cdef-0123-456789abcdef')
  })

  it('keeps large attached payloads as separate chunks without copying', () => {
    const payload = Buffer.alloc(4096, 7)
    const w = new Writer()
    w.int32(1).bytes(payload, false).int16(2)
    const chunks = w.toChunks()
    expect(chunks).toContain(payload)
    const r = new Reader(Buffer.concat(chunks))
    expect(r.int32()).toBe(1)
    expect(r.bytes(false)).toEqual(payload)
    expect(r.int16()).toBe(2)
  })

  it('throws ProtocolError on truncated data, overlong varints and impossible array lengths', () => {
    expect(() => new Reader(Buffer.from([0, 0, 0])).int32()).toThrow(ProtocolError)
    expect(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).uvarint()).toThrow(ProtocolError)
    expect(() => new Reader(Buffer.from([0, 0, 0x10, 0])).arrayLength(false)).toThrow(ProtocolError)
    expect(() => new Reader(Buffer.from([0, 5, 97])).string(false)).toThrow(ProtocolError)
  })
})
