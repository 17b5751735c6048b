import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmbeddedSchemaRegistry } from '../../../src/broker/registry/embedded-schema-registry.js'
import { isPromiseLike } from '../../../src/core/maybe-promise.js'
import { Serdes } from '../../../src/serde/serdes.js'
import { withSchemaId } from '../../../src/serde/schema-registry/wire-format.js'

const ticketV1 = {
  type: 'record', name: 'TicketOpened', namespace: 'shop.events',
  fields: [
    { name: 'ticketId', type: 'string' },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 } },
  ],
}
const ticketV2 = { ...ticketV1, fields: [...ticketV1.fields, { name: 'priority', type: 'string', default: 'normal' }] }
const ticketV3 = { ...ticketV1, fields: [...ticketV1.fields, { name: 'customerId', type: 'string' }] }

let registry: EmbeddedSchemaRegistry
const valueCtx = { topic: 'tickets', isKey: false }

async function settle<T>(value: T | Promise<T>): Promise<T> {
  return isPromiseLike(value) ? await value : value
}

async function subjects(): Promise<string[]> {
  return (await (await fetch(`${registry.url}/subjects`)).json()) as string[]
}

beforeEach(async () => {
  registry = await EmbeddedSchemaRegistry.start()
})
afterEach(async () => {
  await registry.close()
})

describe('Serdes.schemaRegistry', () => {
  it('writes Confluent wire format, asynchronously on the first use only', async () => {
    const serde = Serdes.schemaRegistry<{ ticketId: string; amount: string }>({ url: registry.url, schema: ticketV1 })
    const first = serde.serialize({ ticketId: 'T-1', amount: '10.50' }, valueCtx)
    expect(isPromiseLike(first)).toBe(true)
    const bytes = await first
    expect(bytes[0]).toBe(0)
    expect(bytes.readUInt32BE(1)).toBe(1)
    const second = serde.serialize({ ticketId: 'T-2', amount: '0.01' }, valueCtx)
    expect(isPromiseLike(second)).toBe(false)

    const reader = Serdes.schemaRegistry<{ ticketId: string; amount: string }>({ url: registry.url, schema: ticketV1 })
    const decoded = reader.deserialize(bytes, valueCtx)
    expect(isPromiseLike(decoded)).toBe(true)
    expect({ ...(await decoded) }).toEqual({ ticketId: 'T-1', amount: '10.50' })
    const again = reader.deserialize(second as Buffer, valueCtx)
    expect(isPromiseLike(again)).toBe(false)
    expect({ ...(again as object) }).toEqual({ ticketId: 'T-2', amount: '0.01' })
  })

  it('registers under the subjects Confluent would use for each strategy', async () => {
    const value = { ticketId: 'T', amount: '1.00' }
    await settle(Serdes.schemaRegistry({ url: registry.url, schema: ticketV1 }).serialize(value, valueCtx))
    await settle(Serdes.schemaRegistry({ url: registry.url, schema: ticketV1, subjectNameStrategy: 'record' }).serialize(value, valueCtx))
    await settle(Serdes.schemaRegistry({ url: registry.url, schema: ticketV1, subjectNameStrategy: 'topic-record' }).serialize(value, valueCtx))
    await settle(Serdes.schemaRegistry({ url: registry.url, schema: { type: 'string' } }).serialize('k', { topic: 'tickets', isKey: true }))
    expect(await subjects()).toEqual(['shop.events.TicketOpened', 'tickets-key', 'tickets-shop.events.TicketOpened', 'tickets-value'])
  })

  it('reads records written with an older schema into the reader schema (v1 writer, v2 reader)', async () => {
    const writer = Serdes.schemaRegistry<{ ticketId: string; amount: string }>({ url: registry.url, schema: ticketV1 })
    const v1Bytes = await settle(writer.serialize({ ticketId: 'T-1', amount: '99.99' }, valueCtx))
    const reader = Serdes.schemaRegistry<{ ticketId: string; amount: string; priority: string }>({ url: registry.url, schema: ticketV2 })
    const v2Bytes = await settle(reader.serialize({ ticketId: 'T-2', amount: '1.00', priority: 'high' }, valueCtx))
    expect(v2Bytes.readUInt32BE(1)).toBe(2)
    expect({ ...(await settle(reader.deserialize(v1Bytes, valueCtx))) }).toEqual({ ticketId: 'T-1', amount: '99.99', priority: 'normal' })
    expect({ ...(await settle(reader.deserialize(v2Bytes, valueCtx))) }).toEqual({ ticketId: 'T-2', amount: '1.00', priority: 'high' })
    // An old reader reads the newer record too (the added field is skipped).
    expect({ ...(await settle(writer.deserialize(v2Bytes, valueCtx))) }).toEqual({ ticketId: 'T-2', amount: '1.00' })
  })

  it('refuses an incompatible v3 under BACKWARD with a typed error', async () => {
    await settle(Serdes.schemaRegistry({ url: registry.url, schema: ticketV1 }).serialize({ ticketId: 'T', amount: '1.00' }, valueCtx))
    const v3 = Serdes.schemaRegistry({ url: registry.url, schema: ticketV3 })
    await expect(settle(v3.serialize({ ticketId: 'T', amount: '1.00', customerId: 'c' }, valueCtx))).rejects.toMatchObject({
      code: 'TRIBUTARY_SERDE',
      message: expect.stringContaining('incompatible'),
    })
  })

  it('does not register when autoRegister is false and the schema is unknown', async () => {
    const serde = Serdes.schemaRegistry({ url: registry.url, schema: ticketV1, autoRegister: false })
    await expect(settle(serde.serialize({ ticketId: 'T', amount: '1.00' }, valueCtx))).rejects.toMatchObject({ code: 'TRIBUTARY_SERDE' })
    expect(await subjects()).toEqual([])
  })

  it('rejects a wrong magic byte, a short record and an unknown schema id with typed errors', async () => {
    const serde = Serdes.schemaRegistry({ url: registry.url, schema: ticketV1 })
    expect(() => serde.deserialize(Buffer.from([1, 0, 0, 0, 1, 2]), valueCtx)).toThrow(/not the schema registry magic byte/)
    expect(() => serde.deserialize(Buffer.from([0, 0]), valueCtx)).toThrow(/too short/)
    await expect(settle(serde.deserialize(withSchemaId(4242, Buffer.from([2])), valueCtx))).rejects.toMatchObject({
      code: 'TRIBUTARY_SERDE',
      message: expect.stringContaining('Unknown schema id 4242'),
    })
  })

  it('fails with a typed, retryable error when the registry is unreachable', async () => {
    const url = registry.url
    await registry.close()
    const serde = Serdes.schemaRegistry({ url, schema: ticketV1 })
    await expect(settle(serde.serialize({ ticketId: 'T', amount: '1.00' }, valueCtx))).rejects.toMatchObject({ code: 'TRIBUTARY_SERDE', canRetry: true })
    registry = await EmbeddedSchemaRegistry.start()
  })
})
