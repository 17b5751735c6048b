import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedSchemaRegistry } from '../../src/broker/index.js'
import { produceCity, type CityProgress } from '../../src/cli/city-producer.js'
import { ConfigError } from '../../src/core/errors.js'
import { Serdes } from '../../src/serde/serdes.js'
import { simulateCity, type CityOptions } from '../../topologies/generator/index.js'
import type { PaymentRegistered, TicketOpened } from '../../topologies/repair-shop/schemas.js'
import { readAll, startKafka, type KafkaFixture } from '../kafka/fixtures.js'

let kafka: KafkaFixture | undefined
let registry: EmbeddedSchemaRegistry | undefined
afterEach(async () => {
  await registry?.close()
  await kafka?.close()
  registry = undefined
  kafka = undefined
})

describe('produceCity', () => {
  it('sends every record of the simulation, Avro through the registry, and reports progress up to the end', async () => {
    kafka = await startKafka('city-producer')
    registry = await EmbeddedSchemaRegistry.start()
    const options: CityOptions = { seed: 4, drivers: 3, riders: 1000, durationS: 240, repairShop: true, duplicateFraction: 0.05, startMs: Date.UTC(2026, 10, 1) }
    const progress: CityProgress[] = []
    const result = await produceCity({
      bootstrapServers: kafka.broker.bootstrapServers,
      schemaRegistryUrl: registry.url,
      options,
      realTime: false,
      partitions: 2,
      onProgress: (p) => progress.push(p),
    })

    const expected = [...simulateCity(options)]
    const counts: Record<string, number> = {}
    for (const record of expected) counts[record.topic] = (counts[record.topic] ?? 0) + 1
    expect(result).toMatchObject({ byTopic: counts, total: expected.length, startMs: options.startMs, aborted: false })
    expect(progress.at(-1)).toMatchObject({ simulatedSeconds: 240, durationS: 240, sent: expected.length })
    const seconds = progress.map((p) => p.simulatedSeconds)
    expect(seconds).toEqual([...seconds].sort((a, b) => a - b))

    const reader = kafka.track(kafka.clients.reader({ isolationLevel: 'read_uncommitted' }))
    const tickets = Serdes.schemaRegistry<TicketOpened>({ url: registry.url })
    const payments = Serdes.schemaRegistry<PaymentRegistered>({ url: registry.url })
    const context = (topic: string) => ({ topic, isKey: false })
    const ticketRecords = [...await readAll(reader, 'tickets', 0), ...await readAll(reader, 'tickets', 1)]
    expect(ticketRecords).toHaveLength(counts.tickets!)
    const ticket = await tickets.deserialize(ticketRecords[0]!.value!, context('tickets'))
    expect(ticket.ticket_id).toBe(ticketRecords[0]!.key!.toString())
    const sentTickets = expected.filter((r) => r.topic === 'tickets').map((r) => (r.value as TicketOpened).ticket_id)
    expect(sentTickets).toContain(ticket.ticket_id)
    const paymentRecord = [...await readAll(reader, 'payments', 0), ...await readAll(reader, 'payments', 1)][0]!
    expect((await payments.deserialize(paymentRecord.value!, context('payments'))).amount).toMatch(/^\d+\.\d\d$/)
    expect(await (await fetch(`${registry.url}/subjects`)).json()).toEqual(expect.arrayContaining(['tickets-value', 'appointments-value', 'payments-value']))

    // The deletion's tombstone is a record with a null value.
    const riderRecords = [...await readAll(reader, 'rider_profiles', 0), ...await readAll(reader, 'rider_profiles', 1)]
    expect(riderRecords.length).toBe(counts.rider_profiles)
    const tombstones = expected.filter((r) => r.topic === 'rider_profiles' && r.value === null).length
    expect(tombstones).toBeGreaterThan(0)
    expect(riderRecords.filter((r) => r.value === null)).toHaveLength(tombstones)
  })

  it('rejects options it cannot use before connecting anywhere', async () => {
    await expect(produceCity({ bootstrapServers: '127.0.0.1:1', options: { lateFraction: 2 } })).rejects.toThrow(ConfigError)
    await expect(produceCity({ bootstrapServers: '127.0.0.1:1', options: { repairShop: true } })).rejects.toThrow(/schemaRegistryUrl/)
    await expect(produceCity({ bootstrapServers: '127.0.0.1:1', ratePerSecond: 0 })).rejects.toThrow(ConfigError)
  })
})
