import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EmbeddedSchemaRegistry } from '../../../src/broker/registry/embedded-schema-registry.js'
import { isPromiseLike } from '../../../src/core/maybe-promise.js'
import type { AvroSchema } from '../../../src/serde/avro/avro-serde.js'
import { Serdes } from '../../../src/serde/serdes.js'
import {
  appointmentBookedSchema, paymentRegisteredSchema, ticketClosedSchema, ticketOpenedSchema,
  type AppointmentBooked, type PaymentRegistered, type TicketClosed, type TicketOpened,
} from '../../../topologies/repair-shop/schemas.js'

let registry: EmbeddedSchemaRegistry
beforeAll(async () => {
  registry = await EmbeddedSchemaRegistry.start()
})
afterAll(async () => {
  await registry.close()
})

async function roundTrip<T>(schema: AvroSchema, topic: string, value: T): Promise<T> {
  const serde = Serdes.schemaRegistry<T>({ url: registry.url, schema })
  const context = { topic, isKey: false }
  const bytes = serde.serialize(value, context)
  const decoded = serde.deserialize(isPromiseLike(bytes) ? await bytes : bytes, context)
  return isPromiseLike(decoded) ? await decoded : decoded
}

const ticketId = '3f1c2b7a-9d4e-4c1a-8b2f-6e5d4c3b2a10'
const appointmentId = 'a4b3c2d1-0e9f-4a8b-9c7d-6e5f4a3b2c1d'

describe('the repair shop events (docs/serdes.md) through the schema registry', () => {
  it('round-trips a ticket with and without the optional middle name', async () => {
    const opened: TicketOpened = {
      occurred_on: new Date('2026-11-21T08:00:00.000Z'),
      ticket_id: ticketId,
      requester: { email: 'ana@example.com', name: 'Ana', middlename: null, surname: 'Lima', age: 41 },
      repair_type: 'windshield',
    }
    expect(JSON.parse(JSON.stringify(await roundTrip(ticketOpenedSchema, 'tickets', opened)))).toEqual(JSON.parse(JSON.stringify(opened)))
    const withMiddle = { ...opened, requester: { ...opened.requester, middlename: 'Maria' } }
    expect((await roundTrip(ticketOpenedSchema, 'tickets', withMiddle)).requester.middlename).toBe('Maria')
  })

  it('keeps the payment amount exact', async () => {
    const payment: PaymentRegistered = {
      ticket_id: ticketId, appointment_id: appointmentId, payment_id: '0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a',
      occurred_on: new Date('2026-11-21T10:30:00.000Z'), amount: '349.90',
    }
    const back = await roundTrip(paymentRegisteredSchema, 'payments', payment)
    expect(back.amount).toBe('349.90')
    expect((await roundTrip(paymentRegisteredSchema, 'payments', { ...payment, amount: '0.10' })).amount).toBe('0.10')
  })

  it('round-trips appointments and closed tickets', async () => {
    const booked: AppointmentBooked = {
      occurred_on: new Date('2026-11-21T09:00:00.000Z'), ticket_id: ticketId, appointment_id: appointmentId,
      scheduled_at: new Date('2026-11-24T14:00:00.000Z'),
    }
    expect((await roundTrip(appointmentBookedSchema, 'appointments', booked)).scheduled_at.toISOString()).toBe('2026-11-24T14:00:00.000Z')
    const closed: TicketClosed = { occurred_on: new Date('2026-11-24T16:00:00.000Z'), ticket_id: ticketId }
    expect((await roundTrip(ticketClosedSchema, 'ticket_closed', closed)).ticket_id).toBe(ticketId)
  })
})
