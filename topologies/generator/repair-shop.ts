import type { AppointmentBooked, PaymentRegistered, RepairType, TicketOpened } from '../repair-shop/schemas.js'
import { FIRST_NAMES, SURNAMES } from './names.js'
import type { Prng } from './prng.js'
import { Timeline } from './timeline.js'
import type { CityRecord } from './types.js'

/** The repair shop's topics: one per system, each keyed by ticket id. */
export const REPAIR_SHOP_TOPICS = { tickets: 'tickets', appointments: 'appointments', payments: 'payments' } as const

/** Average tickets opened per simulated second. */
const TICKETS_PER_SECOND = 0.5
/** The secretary books an appointment this many seconds after a ticket is opened. */
const BOOKING_DELAY_S: readonly [number, number] = [5, 60]
/** The cash desk registers the payment this many seconds after the booking. */
const PAYMENT_DELAY_S: readonly [number, number] = [30, 180]
/** Tickets that are never paid (the customer went elsewhere). */
const UNPAID_FRACTION = 0.2
const DAY_MS = 86_400_000

/** Price ranges in dollars by kind of repair; amounts end in .90, .50 or .00 as a price list does. */
const PRICES: Record<RepairType, readonly [number, number]> = {
  windshield: [129, 399],
  bumper: [249, 899],
  body: [499, 2999],
}
const REPAIR_TYPES: readonly RepairType[] = ['windshield', 'windshield', 'bumper', 'bumper', 'body']
const CENTS = ['90', '50', '00'] as const

type FollowUp =
  | { kind: 'booking'; ticketId: string; openedMs: number; paid: boolean; repairType: RepairType }
  | { kind: 'payment'; ticketId: string; appointmentId: string; repairType: RepairType }

/** The car repair shop next door: tickets, then appointments, then (mostly) payments, as Avro-ready objects. */
export class RepairShop {
  private readonly followUps = new Timeline<FollowUp>()

  constructor(private readonly prng: Prng) {}

  /** The shop's events that happen during the simulated second starting at `secondMs`. */
  eventsOfSecond(secondMs: number): CityRecord[] {
    const prng = this.prng
    const records: CityRecord[] = []
    for (let i = prng.poisson(TICKETS_PER_SECOND); i > 0; i--) records.push(this.openTicket(secondMs + prng.int(0, 999)))
    for (const { at, item: followUp } of this.followUps.takeDue(secondMs + 999)) {
      records.push(followUp.kind === 'booking' ? this.book(followUp, at) : this.pay(followUp, at))
    }
    return records
  }

  private openTicket(atMs: number): CityRecord {
    const prng = this.prng
    const name = prng.pick(FIRST_NAMES)
    const surname = prng.pick(SURNAMES)
    const middlename = prng.chance(0.3) ? prng.pick(FIRST_NAMES) : null
    const repairType = prng.pick(REPAIR_TYPES)
    const value: TicketOpened = {
      occurred_on: new Date(atMs),
      ticket_id: prng.uuid(),
      requester: { email: `${name}.${surname}@example.com`.toLowerCase(), name, middlename, surname, age: prng.int(18, 80) },
      repair_type: repairType,
    }
    const paid = !prng.chance(UNPAID_FRACTION)
    const bookedAt = atMs + prng.int(BOOKING_DELAY_S[0] * 1000, BOOKING_DELAY_S[1] * 1000)
    this.followUps.schedule(bookedAt, { kind: 'booking', ticketId: value.ticket_id, openedMs: atMs, paid, repairType })
    return { topic: REPAIR_SHOP_TOPICS.tickets, key: value.ticket_id, value, timestamp: atMs }
  }

  private book(booking: Extract<FollowUp, { kind: 'booking' }>, atMs: number): CityRecord {
    const prng = this.prng
    // Appointments are in the coming week, on the hour.
    const scheduled = Math.floor((booking.openedMs + prng.int(1, 7) * DAY_MS) / 3_600_000) * 3_600_000
    const value: AppointmentBooked = {
      occurred_on: new Date(atMs), ticket_id: booking.ticketId, appointment_id: prng.uuid(), scheduled_at: new Date(scheduled),
    }
    if (booking.paid) {
      const paidAt = atMs + prng.int(PAYMENT_DELAY_S[0] * 1000, PAYMENT_DELAY_S[1] * 1000)
      this.followUps.schedule(paidAt, {
        kind: 'payment', ticketId: booking.ticketId, appointmentId: value.appointment_id, repairType: booking.repairType,
      })
    }
    return { topic: REPAIR_SHOP_TOPICS.appointments, key: value.ticket_id, value, timestamp: atMs }
  }

  private pay(payment: Extract<FollowUp, { kind: 'payment' }>, atMs: number): CityRecord {
    const prng = this.prng
    const [low, high] = PRICES[payment.repairType]
    const value: PaymentRegistered = {
      ticket_id: payment.ticketId,
      appointment_id: payment.appointmentId,
      payment_id: prng.uuid(),
      occurred_on: new Date(atMs),
      amount: `${prng.int(low, high)}.${prng.pick(CENTS)}`,
    }
    return { topic: REPAIR_SHOP_TOPICS.payments, key: value.ticket_id, value, timestamp: atMs }
  }
}
