import { describe, expect, it } from 'vitest'
import { SerdeError } from '../../../src/core/errors.js'
import { Serdes } from '../../../src/serde/serdes.js'
import { formatDecimal, parseDecimal } from '../../../src/serde/avro/logical-types.js'

const ctx = { topic: 'payments', isKey: false }

const paymentSchema = {
  type: 'record',
  name: 'PaymentRegistered',
  namespace: 'shop.events',
  fields: [
    { name: 'paymentId', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
    { name: 'fee', type: { type: 'fixed', name: 'Fee', size: 4, logicalType: 'decimal', precision: 8, scale: 3 } },
    { name: 'paidAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'settledAtMicros', type: { type: 'long', logicalType: 'timestamp-micros' } },
    { name: 'bookingDate', type: { type: 'int', logicalType: 'date' } },
    { name: 'method', type: { type: 'enum', name: 'Method', symbols: ['CARD', 'CASH', 'WALLET'] } },
    { name: 'middleName', type: ['null', 'string'], default: null },
  ],
} as const

interface Payment {
  paymentId: string
  amount: string
  fee: string
  paidAt: Date
  settledAtMicros: bigint
  bookingDate: Date
  method: 'CARD' | 'CASH' | 'WALLET'
  middleName: string | null
}

const payment: Payment = {
  paymentId: '6a2f41a3-c54c-4f5b-9d1a-3b8e7d7c9e10',
  amount: '12345678.90',
  fee: '-0.125',
  paidAt: new Date('2026-11-21T10:15:30.123Z'),
  settledAtMicros: 1_763_720_130_123_456n,
  bookingDate: new Date('2026-11-21T00:00:00Z'),
  method: 'WALLET',
  middleName: null,
}

describe('Serdes.avro', () => {
  const serde = Serdes.avro<Payment>(paymentSchema)

  it('round-trips every logical type exactly', () => {
    const back = serde.deserialize(serde.serialize(payment, ctx) as Buffer, ctx) as Payment
    expect({ ...back }).toEqual(payment)
    expect(typeof back.amount).toBe('string')
    const withMiddle = { ...payment, middleName: 'Ana' }
    expect((serde.deserialize(serde.serialize(withMiddle, ctx) as Buffer, ctx) as Payment).middleName).toBe('Ana')
  })

  it('keeps decimals exact where a float would not', () => {
    const values = ['0.10', '0.20', '99999999.99', '-99999999.99', '0.00', '1']
    for (const amount of values) {
      const back = serde.deserialize(serde.serialize({ ...payment, amount }, ctx) as Buffer, ctx) as Payment
      expect(back.amount).toBe(formatDecimal(parseDecimal(amount, 2)!, 2))
    }
  })

  it('refuses a decimal with more fraction digits than the scale or more digits than the precision', () => {
    expect(() => serde.serialize({ ...payment, amount: '1.005' }, ctx)).toThrow(/invalid field\(s\) amount/)
    expect(() => serde.serialize({ ...payment, amount: '123456789.00' }, ctx)).toThrow(SerdeError)
    expect(() => serde.serialize({ ...payment, amount: 'ten' }, ctx)).toThrow(SerdeError)
  })

  it('encodes decimals as minimal two\'s complement like Java BigInteger', () => {
    const amountOnly = Serdes.avro<{ a: string }>({
      type: 'record', name: 'A', fields: [{ name: 'a', type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 } }],
    })
    // -1.28 -> unscaled -128 -> 0x80 (one byte), length-prefixed with zigzag varint 2.
    expect(amountOnly.serialize({ a: '-1.28' }, ctx)).toEqual(Buffer.from([2, 0x80]))
    // 1.28 -> 128 -> 0x00 0x80 (needs a sign byte).
    expect(amountOnly.serialize({ a: '1.28' }, ctx)).toEqual(Buffer.from([4, 0x00, 0x80]))
  })

  it('handles timestamps at the edges: the epoch, before it, and the largest safe micros', () => {
    for (const paidAt of [new Date(0), new Date(-1), new Date('1901-12-13T20:45:52.000Z'), new Date(8.64e15)]) {
      const back = serde.deserialize(serde.serialize({ ...payment, paidAt }, ctx) as Buffer, ctx) as Payment
      expect(back.paidAt.getTime()).toBe(paidAt.getTime())
    }
    // Exact for magnitudes up to 2^52 microseconds (1827 to 2112); beyond that it refuses.
    for (const settledAtMicros of [0n, -1n, 2n ** 52n, -(2n ** 52n)]) {
      const back = serde.deserialize(serde.serialize({ ...payment, settledAtMicros }, ctx) as Buffer, ctx) as Payment
      expect(back.settledAtMicros).toBe(settledAtMicros)
    }
    expect(() => serde.serialize({ ...payment, settledAtMicros: 2n ** 52n + 1n }, ctx)).toThrow(SerdeError)
    expect(() => serde.serialize({ ...payment, settledAtMicros: -(2n ** 60n) }, ctx)).toThrow(SerdeError)
  })

  it('rejects a bad enum symbol and a non-UUID with the field names', () => {
    expect(() => serde.serialize({ ...payment, method: 'CHEQUE' as 'CARD' }, ctx)).toThrow(/method/)
    expect(() => serde.serialize({ ...payment, paymentId: 'x' }, ctx)).toThrow(/paymentId/)
  })

  it('fails with a typed error on a truncated payload and on trailing bytes', () => {
    const bytes = serde.serialize(payment, ctx) as Buffer
    expect(() => serde.deserialize(bytes.subarray(0, bytes.length - 3), ctx)).toThrow(
      expect.objectContaining({ code: 'TRIBUTARY_SERDE', message: expect.stringMatching(/Truncated Avro value/) }),
    )
    expect(() => serde.deserialize(Buffer.concat([bytes, Buffer.from([1, 2])]), ctx)).toThrow(/trailing bytes/)
  })

  it('rejects an invalid schema with a typed error', () => {
    expect(() => Serdes.avro({ type: 'record', name: 'X', fields: [{ name: 'a', type: 'nope' }] })).toThrow(SerdeError)
    expect(() => Serdes.avro({ type: 'bytes', logicalType: 'decimal', precision: 2, scale: 3 })).toThrow(SerdeError)
  })
})
