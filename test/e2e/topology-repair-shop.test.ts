import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmbeddedSchemaRegistry } from '../../src/broker/index.js'
import { simulateCity } from '../../topologies/generator/index.js'
import { bundled, repairShopSerdes, type ClosedTicketSummary } from '../../topologies/repair-shop/index.js'
import type { AppointmentBooked, PaymentRegistered, TicketClosed, TicketOpened } from '../../topologies/repair-shop/schemas.js'
import { isPromiseLike } from '../../src/core/maybe-promise.js'
import { sendCityRecords } from './city-records.js'
import { createTopicsOf, type KafkaFixture, readPartitions, startStreams, str, type StreamsFixture, testBrokerKind, waitFor } from './fixtures.js'

const APP = 'repair-shop-e2e'
const PARTITIONS = 3
const CITY = { seed: 5, drivers: 0, riders: 0, durationS: 300, repairShop: true, duplicateFraction: 0.03 } as const

interface ExpectedClose {
  readonly closedAt: number
  readonly requester: string
  readonly paid: string
}

describe(`repair-shop end to end (${testBrokerKind()} broker and schema registry, generated shop)`, () => {
  let env: StreamsFixture
  let kafka: KafkaFixture
  let registry: EmbeddedSchemaRegistry

  beforeEach(async () => {
    env = await startStreams(APP)
    kafka = env.kafka
    // Tracked before any app, so closed after the apps and before the broker. Its schemas live in
    // memory: the test runs against Apache Kafka too, and never restarts the registry.
    registry = env.track(await EmbeddedSchemaRegistry.start())
  })

  afterEach(() => env.close())

  it('closes exactly the tickets that got an appointment and a payment, once each', async () => {
    const records = [...simulateCity(CITY)].filter((r) => ['tickets', 'appointments', 'payments'].includes(r.topic))

    // The expectation, plainly: a ticket closes when it has all three events, at the latest of them.
    const opened = new Map<string, TicketOpened>()
    const booked = new Map<string, AppointmentBooked>()
    const paid = new Map<string, PaymentRegistered>()
    for (const r of records) {
      if (r.topic === 'tickets') opened.set((r.value as TicketOpened).ticket_id, r.value as TicketOpened)
      if (r.topic === 'appointments') booked.set((r.value as AppointmentBooked).ticket_id, r.value as AppointmentBooked)
      if (r.topic === 'payments') {
        const payment = r.value as PaymentRegistered
        // The shop's cash desk takes one payment per ticket (a re-sent one has the same id).
        expect(paid.get(payment.ticket_id)?.payment_id ?? payment.payment_id).toBe(payment.payment_id)
        paid.set(payment.ticket_id, payment)
      }
    }
    const expected = new Map<string, ExpectedClose>()
    for (const [id, ticket] of opened) {
      const appointment = booked.get(id)
      const payment = paid.get(id)
      if (appointment === undefined || payment === undefined) continue
      const r = ticket.requester
      expected.set(id, {
        closedAt: Math.max(ticket.occurred_on.getTime(), appointment.occurred_on.getTime(), payment.occurred_on.getTime()),
        requester: r.middlename === null ? `${r.name} ${r.surname}` : `${r.name} ${r.middlename} ${r.surname}`,
        paid: payment.amount,
      })
    }
    // The generated shop must have closable and unclosable tickets, with and without a middle name.
    expect(expected.size).toBeGreaterThan(10)
    expect(opened.size - expected.size).toBeGreaterThan(10)
    expect([...expected.values()].some((e) => e.requester.split(' ').length === 3)).toBe(true)
    expect([...expected.values()].some((e) => e.requester.split(' ').length === 2)).toBe(true)

    const built = bundled.build({ schemaRegistryUrl: registry.url })
    await createTopicsOf(kafka, built, { inputs: PARTITIONS, outputs: PARTITIONS })
    const producer = kafka.track(kafka.clients.producer())
    await sendCityRecords(producer, records, { schemaRegistryUrl: registry.url })

    const app = env.newApp(built.topology, { commitIntervalMs: 200 })
    await app.start()

    const reader = env.reader()
    const readTopic = (topic: string) => readPartitions(reader, topic, PARTITIONS)
    await waitFor('every closable ticket closed', async () => (await readTopic('ticket_closed')).length >= expected.size, 20_000)
    // Each close writes its summary in the same step.
    await waitFor('the application to catch up', async () => (await readTopic('closed_ticket_summaries')).length >= expected.size, 10_000)

    const ticketClosed = repairShopSerdes(registry.url).ticketClosed
    const closed: TicketClosed[] = []
    for (const r of await readTopic('ticket_closed')) {
      expect(r.value!.readUInt8(0)).toBe(0) // Confluent wire format: magic byte, schema id, Avro
      const value = ticketClosed.deserialize(r.value!, { topic: 'ticket_closed', isKey: false })
      closed.push(isPromiseLike(value) ? await value : value)
      expect(str(r.key)).toBe(closed.at(-1)!.ticket_id)
    }
    expect(closed.map((c) => c.ticket_id).sort()).toEqual([...expected.keys()].sort())
    for (const c of closed) expect(c.occurred_on.getTime(), c.ticket_id).toBe(expected.get(c.ticket_id)!.closedAt)

    const summaries = (await readTopic('closed_ticket_summaries')).map((r) => JSON.parse(str(r.value)!) as ClosedTicketSummary)
    expect(summaries).toHaveLength(expected.size)
    for (const s of summaries) {
      const want = expected.get(s.ticketId)!
      expect(s.requester).toBe(want.requester)
      expect(s.paid).toBe(want.paid)
      expect(s.payments).toBe(1)
    }
  }, 40_000)
})
