import type { AppointmentBooked, PaymentRegistered, TicketOpened } from './schemas.js'
import { addDecimals } from './decimal.js'
import type { BookedAppointment, ClosedTicketSummary, ClosingTicket, OpenTicket, RegisteredPayment, TicketPayments } from './types.js'

// Avro gives Dates; the shop's stores hold JSON, so times become epoch milliseconds on the way in.

export function openTicket(event: TicketOpened): OpenTicket {
  const r = event.requester
  return {
    ticketId: event.ticket_id,
    openedAt: event.occurred_on.getTime(),
    requester: { email: r.email, name: r.name, middlename: r.middlename, surname: r.surname, age: r.age },
    repairType: event.repair_type,
  }
}

export function bookedAppointment(event: AppointmentBooked): BookedAppointment {
  return { ticketId: event.ticket_id, appointmentId: event.appointment_id, bookedAt: event.occurred_on.getTime(), scheduledAt: event.scheduled_at.getTime() }
}

export function registeredPayment(event: PaymentRegistered): RegisteredPayment {
  return { ticketId: event.ticket_id, paymentId: event.payment_id, amount: event.amount, paidAt: event.occurred_on.getTime() }
}

export const NO_PAYMENTS: TicketPayments = { paymentIds: [], total: '0', lastPaidAt: 0 }

/** Adds a payment to a ticket's payments, once per payment id (a re-sent payment is not paid twice). */
export function withPayment(payments: TicketPayments, payment: RegisteredPayment): TicketPayments {
  if (payments.paymentIds.includes(payment.paymentId)) return payments
  return {
    paymentIds: [...payments.paymentIds, payment.paymentId],
    total: addDecimals(payments.total, payment.amount),
    lastPaidAt: Math.max(payments.lastPaidAt, payment.paidAt),
  }
}

/** When a ticket became closable: the last of its ticket, appointment and payment events. */
export function closedAt(closing: ClosingTicket): number {
  return Math.max(closing.ticket.openedAt, closing.appointment.bookedAt, closing.payments.lastPaidAt)
}

export function fullName(requester: OpenTicket['requester']): string {
  return [requester.name, requester.middlename, requester.surname].filter((part) => part !== null && part !== '').join(' ')
}

export function summaryOf(closing: ClosingTicket): ClosedTicketSummary {
  const { ticket, appointment, payments } = closing
  return {
    ticketId: ticket.ticketId,
    requester: fullName(ticket.requester),
    email: ticket.requester.email,
    repairType: ticket.repairType,
    appointmentId: appointment.appointmentId,
    scheduledAt: new Date(appointment.scheduledAt).toISOString(),
    paid: payments.total,
    payments: payments.paymentIds.length,
    openedAt: new Date(ticket.openedAt).toISOString(),
    closedAt: new Date(closedAt(closing)).toISOString(),
  }
}
