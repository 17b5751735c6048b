import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, Serdes } from '../../src/index.js'
import { EmbeddedSchemaRegistry } from '../../src/broker/index.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { addDecimals } from '../../topologies/repair-shop/decimal.js'
import { bundled } from '../../topologies/repair-shop/index.js'
import type { AppointmentBooked, PaymentRegistered, TicketClosed, TicketOpened } from '../../topologies/repair-shop/schemas.js'
import { repairShopSerdes, repairShopTopology } from '../../topologies/repair-shop/topology.js'
import { SHOP_STORES, type ClosedTicketSummary, type OpenTicket, type TicketPayments } from '../../topologies/repair-shop/types.js'

const T0 = Date.UTC(2026, 10, 21, 8, 0, 0)
const uuid = (n: number, kind = 0): string => `${String(kind).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`

let registry: EmbeddedSchemaRegistry
let driver: TopologyTestDriver | undefined
beforeAll(async () => {
  registry = await EmbeddedSchemaRegistry.start()
})
afterAll(async () => {
  await registry.close()
})
afterEach(async () => {
  await driver?.close()
  driver = undefined
})

function shop() {
  driver = new TopologyTestDriver(repairShopTopology({ schemaRegistryUrl: registry.url }), { startTimeMs: T0 })
  const serdes = repairShopSerdes(registry.url)
  const tickets = driver.createInputTopic('tickets', Serdes.string(), serdes.tickets)
  const appointments = driver.createInputTopic('appointments', Serdes.string(), serdes.appointments)
  const payments = driver.createInputTopic('payments', Serdes.string(), serdes.payments)
  // Read as bytes: a registry serde answers asynchronously until it has seen the schema id.
  const closedBytes = driver.createOutputTopic('ticket_closed', Serdes.string(), Serdes.bytes())
  const summaries = driver.createOutputTopic('closed_ticket_summaries', Serdes.string(), Serdes.json<ClosedTicketSummary>())
  const d = driver
  return {
    closed: {
      isEmpty: () => closedBytes.isEmpty(),
      getQueueSize: () => closedBytes.getQueueSize(),
      async readKeyValuesToList(): Promise<[string, TicketClosed][]> {
        const out: [string, TicketClosed][] = []
        for (const [key, bytes] of closedBytes.readKeyValuesToList()) {
          out.push([key!, await serdes.ticketClosed.deserialize(bytes!, { topic: 'ticket_closed', isKey: false })])
        }
        return out
      },
    },
    summaries,
    store: <V>(name: string) => d.getKeyValueStore<string, V>(name),
    async open(ticket: number, at: number, middlename: string | null = null) {
      const value: TicketOpened = {
        occurred_on: new Date(at), ticket_id: uuid(ticket),
        requester: { email: 'ana.lima@example.com', name: 'Ana', middlename, surname: 'Lima', age: 41 }, repair_type: 'windshield',
      }
      await tickets.pipeInput(uuid(ticket), value, at)
    },
    async book(ticket: number, at: number) {
      const value: AppointmentBooked = { occurred_on: new Date(at), ticket_id: uuid(ticket), appointment_id: uuid(ticket, 1), scheduled_at: new Date(T0 + 86_400_000) }
      await appointments.pipeInput(uuid(ticket), value, at)
    },
    async pay(ticket: number, at: number, amount = '129.90', payment = ticket) {
      const value: PaymentRegistered = { ticket_id: uuid(ticket), appointment_id: uuid(ticket, 1), payment_id: uuid(payment, 2), occurred_on: new Date(at), amount }
      await payments.pipeInput(uuid(ticket), value, at)
    },
  }
}

describe('repair-shop (driver level)', () => {
  it('closes a ticket exactly once in every arrival order of ticket, appointment and payment', async () => {
    const s = shop()
    const orders = [
      ['open', 'book', 'pay'], ['open', 'pay', 'book'], ['book', 'open', 'pay'],
      ['book', 'pay', 'open'], ['pay', 'open', 'book'], ['pay', 'book', 'open'],
    ] as const
    for (const [n, order] of orders.entries()) {
      for (const [i, step] of order.entries()) await s[step](n, T0 + n * 10_000 + i * 1_000)
    }
    const closed = await s.closed.readKeyValuesToList()
    expect(closed.map(([id]) => id)).toEqual(orders.map((_o, n) => uuid(n)))
    for (const [n] of orders.entries()) {
      // Closed when the last of the three events happened.
      expect(closed[n]![1]).toEqual({ ticket_id: uuid(n), occurred_on: new Date(T0 + n * 10_000 + 2_000) })
    }
    expect(s.summaries.getQueueSize()).toBe(6)
  })

  it('does not close a ticket without its payment, or without its appointment', async () => {
    const s = shop()
    await s.open(1, T0)
    await s.book(1, T0 + 1_000)
    await s.open(2, T0 + 2_000)
    await s.pay(2, T0 + 3_000)
    await s.pay(3, T0 + 4_000) // a payment for a ticket the shop never opened
    await s.book(3, T0 + 5_000)
    expect(s.closed.isEmpty()).toBe(true)
    await s.pay(1, T0 + 60_000)
    expect((await s.closed.readKeyValuesToList()).map(([id]) => id)).toEqual([uuid(1)])
  })

  it('sums payments exactly, counts a re-sent payment once, and does not close twice', async () => {
    const s = shop()
    await s.open(1, T0)
    await s.pay(1, T0 + 1_000, '0.10', 10)
    await s.pay(1, T0 + 2_000, '0.20', 20)
    await s.pay(1, T0 + 2_500, '0.20', 20) // the cash desk's producer retried
    await s.book(1, T0 + 3_000)
    await s.pay(1, T0 + 4_000, '1000000000.05', 30) // paid after the close: no second close
    const summaries = s.summaries.readValuesToList()
    expect(summaries).toHaveLength(1)
    expect(summaries[0]).toMatchObject({ ticketId: uuid(1), paid: '0.30', payments: 2, closedAt: new Date(T0 + 3_000).toISOString() })
    expect(s.closed.getQueueSize()).toBe(1)
    const payments = await s.store<TicketPayments>(SHOP_STORES.payments).get(uuid(1))
    expect(payments?.total).toBe('1000000000.35')
    expect(payments?.paymentIds).toHaveLength(3)
  })

  it('keeps a requester without a middle name and one with it', async () => {
    const s = shop()
    await s.open(1, T0, null)
    await s.open(2, T0, 'Maria')
    for (const n of [1, 2]) {
      await s.book(n, T0 + 1_000)
      await s.pay(n, T0 + 2_000)
    }
    const byTicket = s.summaries.readKeyValuesToMap()
    expect(byTicket.get(uuid(1))?.requester).toBe('Ana Lima')
    expect(byTicket.get(uuid(2))?.requester).toBe('Ana Maria Lima')
    expect((await s.store<OpenTicket>(SHOP_STORES.tickets).get(uuid(1)))?.requester.middlename).toBeNull()
    expect((await s.store<OpenTicket>(SHOP_STORES.tickets).get(uuid(2)))?.requester.middlename).toBe('Maria')
  })

  it('needs a schema registry', () => {
    expect(() => bundled.build({})).toThrow(ConfigError)
    expect(() => repairShopTopology({ schemaRegistryUrl: '' })).toThrow(/schemaRegistryUrl/)
    expect(bundled.build({ schemaRegistryUrl: registry.url }).inputs).toEqual(['tickets', 'appointments', 'payments'])
  })
})

describe('addDecimals', () => {
  it('adds decimal strings exactly', () => {
    expect(addDecimals('0.10', '0.20')).toBe('0.30')
    expect(0.1 + 0.2).not.toBe(0.3) // what a float would have done
    expect(addDecimals('0', '129.90')).toBe('129.90')
    expect(addDecimals('129.90', '0.1')).toBe('130.00')
    expect(addDecimals('-1.05', '1')).toBe('-0.05')
    expect(addDecimals('9999999999.99', '0.01')).toBe('10000000000.00')
    expect(addDecimals('12345678901234567890.12', '0.88')).toBe('12345678901234567891.00')
  })

  it('refuses what is not a decimal', () => {
    expect(() => addDecimals('1e3', '1')).toThrow(ConfigError)
    expect(() => addDecimals('12,50', '1')).toThrow(/not a decimal/)
  })
})
