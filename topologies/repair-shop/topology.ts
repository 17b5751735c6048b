import { ConfigError, Serdes, StreamsBuilder, type SchemaRegistryAccess, type Serde, type Topology } from '../../src/index.js'
import { closeOnce } from './close-once.js'
import { NO_PAYMENTS, bookedAppointment, closedAt, openTicket, registeredPayment, summaryOf, withPayment } from './events.js'
import {
  appointmentBookedSchema, paymentRegisteredSchema, ticketClosedSchema, ticketOpenedSchema,
  type AppointmentBooked, type PaymentRegistered, type TicketClosed, type TicketOpened,
} from './schemas.js'
import {
  SHOP_STORES, SHOP_TOPICS, type BookedAppointment, type ClosedTicketSummary, type ClosingTicket, type OpenTicket,
  type RegisteredPayment, type RepairShopOptions, type TicketPayments,
} from './types.js'

/** The Avro serdes of the shop's topics: schema registry wire format, subjects named after the topic. */
export function repairShopSerdes(schemaRegistryUrl: string, access: SchemaRegistryAccess = {}): {
  readonly tickets: Serde<TicketOpened>
  readonly appointments: Serde<AppointmentBooked>
  readonly payments: Serde<PaymentRegistered>
  readonly ticketClosed: Serde<TicketClosed>
} {
  const url = schemaRegistryUrl
  return {
    tickets: Serdes.schemaRegistry<TicketOpened>({ ...access, url, schema: ticketOpenedSchema }),
    appointments: Serdes.schemaRegistry<AppointmentBooked>({ ...access, url, schema: appointmentBookedSchema }),
    payments: Serdes.schemaRegistry<PaymentRegistered>({ ...access, url, schema: paymentRegisteredSchema }),
    ticketClosed: Serdes.schemaRegistry<TicketClosed>({ ...access, url, schema: ticketClosedSchema }),
  }
}

/**
 * The car repair shop: closes a ticket (`ticket_closed`, Avro) once it has its ticket, its
 * appointment and a payment, whatever order the three systems' events arrive in. Also writes a
 * readable summary of each closed ticket to `closed_ticket_summaries`.
 *
 * @example
 * const topology = repairShopTopology({ schemaRegistryUrl: 'http://127.0.0.1:8081' })
 */
export function repairShopTopology(options: RepairShopOptions): Topology {
  if (typeof options.schemaRegistryUrl !== 'string' || options.schemaRegistryUrl === '') {
    throw new ConfigError('The repair-shop topology reads Avro from a schema registry: pass schemaRegistryUrl (e.g. http://127.0.0.1:8081).')
  }
  const serdes = repairShopSerdes(options.schemaRegistryUrl, options.schemaRegistryAccess)
  const ticketId = Serdes.string()
  const b = new StreamsBuilder()

  // Each system's events are re-keyed by ticket id (whatever key their producer chose) and kept
  // per ticket as JSON, so the three tables are co-partitioned and can be joined.
  const tickets = b
    .stream<string, TicketOpened>(SHOP_TOPICS.tickets, { keySerde: ticketId, valueSerde: serdes.tickets })
    .filter((_key, event) => event !== null, { name: 'repair-shop-tickets-present' })
    .mapValues(openTicket, { name: 'repair-shop-open-ticket' })
    .groupBy((_key, ticket) => ticket.ticketId, { keySerde: ticketId, valueSerde: Serdes.json<OpenTicket>(), name: 'repair-shop-tickets-by-id' })
    .reduce((_previous, latest) => latest, { storeName: SHOP_STORES.tickets, valueSerde: Serdes.json<OpenTicket>() })

  const appointments = b
    .stream<string, AppointmentBooked>(SHOP_TOPICS.appointments, { keySerde: ticketId, valueSerde: serdes.appointments })
    .filter((_key, event) => event !== null, { name: 'repair-shop-appointments-present' })
    .mapValues(bookedAppointment, { name: 'repair-shop-booked-appointment' })
    .groupBy((_key, appointment) => appointment.ticketId, {
      keySerde: ticketId, valueSerde: Serdes.json<BookedAppointment>(), name: 'repair-shop-appointments-by-id',
    })
    .reduce((_previous, latest) => latest, { storeName: SHOP_STORES.appointments, valueSerde: Serdes.json<BookedAppointment>() })

  const payments = b
    .stream<string, PaymentRegistered>(SHOP_TOPICS.payments, { keySerde: ticketId, valueSerde: serdes.payments })
    .filter((_key, event) => event !== null, { name: 'repair-shop-payments-present' })
    .mapValues(registeredPayment, { name: 'repair-shop-registered-payment' })
    .groupBy((_key, payment) => payment.ticketId, { keySerde: ticketId, valueSerde: Serdes.json<RegisteredPayment>(), name: 'repair-shop-payments-by-id' })
    .aggregate<TicketPayments>(() => NO_PAYMENTS, (_id, payment, paid) => withPayment(paid, payment), {
      storeName: SHOP_STORES.payments,
      valueSerde: Serdes.json<TicketPayments>(),
    })

  b.addStateStore({ name: SHOP_STORES.closed, type: 'keyValue', keySerde: ticketId, valueSerde: Serdes.json<number>() })
  const closing = tickets
    .join(appointments, (ticket, appointment): Omit<ClosingTicket, 'payments'> => ({ ticket, appointment }), {
      name: 'repair-shop-booked-tickets',
      valueSerde: Serdes.json<Omit<ClosingTicket, 'payments'>>(),
    })
    .join(payments, (booked, paid): ClosingTicket => ({ ...booked, payments: paid }), {
      name: 'repair-shop-paid-tickets',
      valueSerde: Serdes.json<ClosingTicket>(),
    })
    .toStream({ name: 'repair-shop-closable' })
    .process(closeOnce(), { name: 'repair-shop-close-once', stores: [SHOP_STORES.closed] })

  closing
    .mapValues((c): TicketClosed => ({ occurred_on: new Date(closedAt(c)), ticket_id: c.ticket.ticketId }), { name: 'repair-shop-ticket-closed' })
    .to(SHOP_TOPICS.ticketClosed, { keySerde: ticketId, valueSerde: serdes.ticketClosed, name: 'repair-shop-ticket-closed-sink' })
  closing
    .mapValues(summaryOf, { name: 'repair-shop-summary' })
    .to(SHOP_TOPICS.closedTicketSummaries, { keySerde: ticketId, valueSerde: Serdes.json<ClosedTicketSummary>(), name: 'repair-shop-summary-sink' })
  return b.build()
}
