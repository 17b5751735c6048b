/**
 * The car repair shop's events as Avro schemas: the ticketing system opens and closes tickets,
 * the secretary books appointments, the cash desk registers payments. Timestamps with time zone
 * are `timestamp-millis` (UTC), ids are `uuid`, the amount is an exact `decimal`.
 */
export const ticketOpenedSchema = {
  type: 'record',
  name: 'TicketOpened',
  namespace: 'shop.tickets',
  fields: [
    { name: 'occurred_on', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'ticket_id', type: { type: 'string', logicalType: 'uuid' } },
    {
      name: 'requester',
      type: {
        type: 'record',
        name: 'Requester',
        fields: [
          { name: 'email', type: 'string' },
          { name: 'name', type: 'string' },
          { name: 'middlename', type: ['null', 'string'], default: null },
          { name: 'surname', type: 'string' },
          { name: 'age', type: 'int' },
        ],
      },
    },
    { name: 'repair_type', type: { type: 'enum', name: 'RepairType', symbols: ['windshield', 'bumper', 'body'] } },
  ],
} as const

export const appointmentBookedSchema = {
  type: 'record',
  name: 'AppointmentBooked',
  namespace: 'shop.appointments',
  fields: [
    { name: 'occurred_on', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'ticket_id', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'appointment_id', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'scheduled_at', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
} as const

export const paymentRegisteredSchema = {
  type: 'record',
  name: 'PaymentRegistered',
  namespace: 'shop.payments',
  fields: [
    { name: 'ticket_id', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'appointment_id', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'payment_id', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'occurred_on', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
  ],
} as const

export const ticketClosedSchema = {
  type: 'record',
  name: 'TicketClosed',
  namespace: 'shop.tickets',
  fields: [
    { name: 'occurred_on', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'ticket_id', type: { type: 'string', logicalType: 'uuid' } },
  ],
} as const

export type RepairType = 'windshield' | 'bumper' | 'body'

export interface TicketOpened {
  occurred_on: Date
  ticket_id: string
  requester: { email: string; name: string; middlename: string | null; surname: string; age: number }
  repair_type: RepairType
}

export interface AppointmentBooked {
  occurred_on: Date
  ticket_id: string
  appointment_id: string
  scheduled_at: Date
}

export interface PaymentRegistered {
  ticket_id: string
  appointment_id: string
  payment_id: string
  occurred_on: Date
  /** Exact decimal as a string, e.g. "349.90". */
  amount: string
}

export interface TicketClosed {
  occurred_on: Date
  ticket_id: string
}
