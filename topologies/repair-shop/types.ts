import type { SchemaRegistryAccess } from '../../src/index.js'
import type { RepairType } from './schemas.js'

/** The repair shop's topics. The three inputs are keyed by ticket id and hold Avro (schema registry). */
export const SHOP_TOPICS = {
  /** TicketOpened, from the ticketing system. */
  tickets: 'tickets',
  /** AppointmentBooked, from the secretary. */
  appointments: 'appointments',
  /** PaymentRegistered, from the cash desk. */
  payments: 'payments',
  /** Output. Key: ticket id. Value: TicketClosed (Avro, schema registry). */
  ticketClosed: 'ticket_closed',
  /** Output. Key: ticket id. Value: ClosedTicketSummary (JSON), for people and dashboards. */
  closedTicketSummaries: 'closed_ticket_summaries',
} as const

/** The key-value stores of the repair shop topology, keyed by ticket id. */
export const SHOP_STORES = {
  tickets: 'repair-shop-tickets',
  appointments: 'repair-shop-appointments',
  payments: 'repair-shop-payments',
  /** ticket id -> when it was closed: a ticket is closed once, whatever arrives after. */
  closed: 'repair-shop-closed',
} as const

/** A ticket as the shop keeps it (JSON-friendly: times are epoch milliseconds). */
export interface OpenTicket {
  readonly ticketId: string
  readonly openedAt: number
  readonly requester: {
    readonly email: string
    readonly name: string
    readonly middlename: string | null
    readonly surname: string
    readonly age: number
  }
  readonly repairType: RepairType
}

export interface BookedAppointment {
  readonly ticketId: string
  readonly appointmentId: string
  readonly bookedAt: number
  readonly scheduledAt: number
}

/** One payment as the shop keeps it. */
export interface RegisteredPayment {
  readonly ticketId: string
  readonly paymentId: string
  /** Exact decimal string, as the cash desk sent it. */
  readonly amount: string
  readonly paidAt: number
}

/** Every payment of a ticket, summed exactly. */
export interface TicketPayments {
  /** Payment ids already counted: a payment sent twice is counted once. */
  readonly paymentIds: readonly string[]
  /** Exact decimal string, e.g. "0.30"; never a float. */
  readonly total: string
  readonly lastPaidAt: number
}

/** A ticket with its appointment and its payments: everything needed to close it. */
export interface ClosingTicket {
  readonly ticket: OpenTicket
  readonly appointment: BookedAppointment
  readonly payments: TicketPayments
}

/** The human-readable record of a closed ticket. */
export interface ClosedTicketSummary {
  readonly ticketId: string
  /** "Name Middlename Surname", or "Name Surname" without a middle name. */
  readonly requester: string
  readonly email: string
  readonly repairType: RepairType
  readonly appointmentId: string
  /** ISO 8601, UTC. */
  readonly scheduledAt: string
  /** Exact decimal string. */
  readonly paid: string
  readonly payments: number
  readonly openedAt: string
  readonly closedAt: string
}

export interface RepairShopOptions {
  /** The schema registry holding the events' schemas, e.g. `http://127.0.0.1:8081`. */
  readonly schemaRegistryUrl: string
  /** Credentials (and TLS) for a registry that asks for them. */
  readonly schemaRegistryAccess?: SchemaRegistryAccess
}
