import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmbeddedSchemaRegistry } from '../../../src/broker/registry/embedded-schema-registry.js'
import { MemorySchemaLog } from '../../../src/broker/registry/schema-log.js'

const v1 = { type: 'record', name: 'TicketOpened', namespace: 'shop', fields: [{ name: 'ticketId', type: 'string' }] }
const v2 = { ...v1, fields: [...v1.fields, { name: 'priority', type: 'int', default: 0 }] }
const v3Incompatible = { ...v1, fields: [...v1.fields, { name: 'customerId', type: 'string' }] } // new field without default

let registry: EmbeddedSchemaRegistry
let log: MemorySchemaLog

async function http(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown; type: string | null }> {
  const response = await fetch(`${registry.url}${path}`, {
    method,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: response.status, body: await response.json(), type: response.headers.get('content-type') }
}

beforeEach(async () => {
  log = new MemorySchemaLog()
  registry = await EmbeddedSchemaRegistry.start({ log })
})
afterEach(async () => {
  await registry.close()
})

describe('EmbeddedSchemaRegistry REST API', () => {
  it('registers versions, looks them up, and lists subjects and versions', async () => {
    const a = await http('POST', '/subjects/tickets-value/versions', { schema: JSON.stringify(v1) })
    expect(a).toEqual({ status: 200, body: { id: 1 }, type: 'application/vnd.schemaregistry.v1+json' })
    expect((await http('POST', '/subjects/tickets-value/versions', { schema: JSON.stringify(v1) })).body).toEqual({ id: 1 })
    expect((await http('POST', '/subjects/tickets-value/versions', { schema: JSON.stringify(v2) })).body).toEqual({ id: 2 })
    // The same schema under another subject keeps its global id.
    expect((await http('POST', '/subjects/other-value/versions', { schema: JSON.stringify(v2) })).body).toEqual({ id: 2 })
    expect((await http('GET', '/subjects')).body).toEqual(['other-value', 'tickets-value'])
    expect((await http('GET', '/subjects/tickets-value/versions')).body).toEqual([1, 2])
    const latest = await http('GET', '/subjects/tickets-value/versions/latest')
    expect(latest.body).toMatchObject({ subject: 'tickets-value', version: 2, id: 2 })
    expect(JSON.parse((latest.body as { schema: string }).schema)).toEqual(v2)
    expect((await http('POST', '/subjects/tickets-value', { schema: JSON.stringify(v1) })).body).toMatchObject({ version: 1, id: 1 })
    expect(JSON.parse(((await http('GET', '/schemas/ids/1')).body as { schema: string }).schema)).toEqual(v1)
  })

  it('answers with Confluent error codes', async () => {
    expect(await http('GET', '/schemas/ids/99')).toMatchObject({ status: 404, body: { error_code: 40403 } })
    expect(await http('GET', '/subjects/nope/versions')).toMatchObject({ status: 404, body: { error_code: 40401 } })
    await http('POST', '/subjects/s/versions', { schema: JSON.stringify(v1) })
    expect(await http('GET', '/subjects/s/versions/7')).toMatchObject({ status: 404, body: { error_code: 40402 } })
    expect(await http('GET', '/subjects/s/versions/zero')).toMatchObject({ status: 422, body: { error_code: 42202 } })
    expect(await http('POST', '/subjects/s', { schema: JSON.stringify(v2) })).toMatchObject({ status: 404, body: { error_code: 40403 } })
    expect(await http('POST', '/subjects/s/versions', { schema: '{"type":"record"' })).toMatchObject({ status: 422, body: { error_code: 42201 } })
    expect(await http('POST', '/subjects/s/versions', { schema: JSON.stringify(v3Incompatible) })).toMatchObject({ status: 409, body: { error_code: 409 } })
    expect(await http('GET', '/config/s')).toMatchObject({ status: 404, body: { error_code: 40408 } })
    expect(await http('PUT', '/config', { compatibility: 'SIDEWAYS' })).toMatchObject({ status: 422, body: { error_code: 42203 } })
    expect(await http('GET', '/no/such/path')).toMatchObject({ status: 404 })
  })

  it('checks compatibility under BACKWARD (default), FORWARD, FULL and NONE', async () => {
    await http('POST', '/subjects/s/versions', { schema: JSON.stringify(v1) })
    const check = async (schema: object) => ((await http('POST', '/compatibility/subjects/s/versions/latest', { schema: JSON.stringify(schema) })).body as { is_compatible: boolean }).is_compatible
    expect((await http('GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' })
    expect(await check(v2)).toBe(true)
    expect(await check(v3Incompatible)).toBe(false)
    expect((await http('PUT', '/config/s', { compatibility: 'FORWARD' })).body).toEqual({ compatibility: 'FORWARD' })
    expect(await check(v3Incompatible)).toBe(true) // old readers ignore the new field
    const removesField = { ...v1, fields: [] }
    expect(await check(removesField)).toBe(false) // old readers need ticketId
    await http('PUT', '/config/s', { compatibility: 'FULL' })
    expect(await check(v2)).toBe(true)
    expect(await check(v3Incompatible)).toBe(false)
    await http('PUT', '/config/s', { compatibility: 'NONE' })
    expect(await check({ type: 'string' })).toBe(true)
  })

  it('checks the transitive levels against every earlier version', async () => {
    const a = { type: 'record', name: 'R', fields: [{ name: 'x', type: 'int' }] }
    const b = { type: 'record', name: 'R', fields: [{ name: 'x', type: 'int', default: 1 }] }
    const c = { type: 'record', name: 'R', fields: [] } // drops x: fine for b (x had a default) but not... readers of a need x
    await http('PUT', '/config/t', { compatibility: 'FORWARD' })
    await http('POST', '/subjects/t/versions', { schema: JSON.stringify(a) })
    await http('POST', '/subjects/t/versions', { schema: JSON.stringify(b) })
    expect((await http('POST', '/compatibility/subjects/t/versions/latest', { schema: JSON.stringify(c) })).body).toEqual({ is_compatible: true })
    await http('PUT', '/config/t', { compatibility: 'FORWARD_TRANSITIVE' })
    expect((await http('POST', '/compatibility/subjects/t/versions/latest', { schema: JSON.stringify(c) })).body).toEqual({ is_compatible: false })
  })

  it('soft-deletes a subject', async () => {
    await http('POST', '/subjects/s/versions', { schema: JSON.stringify(v1) })
    await http('POST', '/subjects/s/versions', { schema: JSON.stringify(v2) })
    expect((await http('DELETE', '/subjects/s')).body).toEqual([1, 2])
    expect((await http('GET', '/subjects')).body).toEqual([])
    // Schemas stay readable by id: records written with them still exist.
    expect((await http('GET', '/schemas/ids/2')).status).toBe(200)
  })

  it('replays its log on restart into the same ids, versions and configs', async () => {
    await http('POST', '/subjects/a-value/versions', { schema: JSON.stringify(v1) })
    await http('POST', '/subjects/a-value/versions', { schema: JSON.stringify(v2) })
    await http('PUT', '/config/a-value', { compatibility: 'FULL' })
    await registry.close()
    registry = await EmbeddedSchemaRegistry.start({ log })
    expect((await http('GET', '/subjects/a-value/versions')).body).toEqual([1, 2])
    expect((await http('GET', '/config/a-value')).body).toEqual({ compatibilityLevel: 'FULL' })
    expect((await http('POST', '/subjects/b-value/versions', { schema: JSON.stringify({ type: 'string' }) })).body).toEqual({ id: 3 })
  })
})

describe('@kafkajs/confluent-schema-registry against the embedded registry', () => {
  it('registers, encodes, decodes and enforces compatibility', async () => {
    const client = new SchemaRegistry({ host: registry.url })
    const { id } = await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, { subject: 'tickets-value' })
    expect(id).toBe(1)
    const encoded = await client.encode(id, { ticketId: 'T-1' })
    expect(encoded[0]).toBe(0)
    expect(encoded.readUInt32BE(1)).toBe(id)
    expect(await client.decode(encoded)).toEqual({ ticketId: 'T-1' })
    expect(await client.getLatestSchemaId('tickets-value')).toBe(1)
    const second = await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(v2) }, { subject: 'tickets-value', compatibility: COMPATIBILITY.BACKWARD })
    expect(second.id).toBe(2)
    expect(await client.getRegistryIdBySchema('tickets-value', { type: SchemaType.AVRO, schema: JSON.stringify(v1) })).toBe(1)
    await expect(client.register({ type: SchemaType.AVRO, schema: JSON.stringify(v3Incompatible) }, { subject: 'tickets-value' })).rejects.toThrow(/incompatible/)
  })
})

describe('EmbeddedSchemaRegistry on the embedded broker', () => {
  it('keeps schemas in the compacted _schemas topic, so they survive a restart of broker and registry', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { EmbeddedKafka } = await import('../../../src/broker/embedded-kafka.js')
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-registry-'))
    try {
      let kafka = await EmbeddedKafka.start({ dataDir })
      let onBroker = await EmbeddedSchemaRegistry.start({ kafka })
      const client = new SchemaRegistry({ host: onBroker.url })
      const first = await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, { subject: 'tickets-value' })
      const second = await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(v2) }, { subject: 'tickets-value' })
      const encoded = await client.encode(second.id, { ticketId: 'T-9', priority: 2 })
      await onBroker.close()
      await kafka.close()

      kafka = await EmbeddedKafka.start({ dataDir })
      const stored = kafka.localTopics.read('_schemas', 0)
      expect(stored.length).toBeGreaterThanOrEqual(2)
      expect(JSON.parse(stored[0]!.key!.toString())).toEqual({ keytype: 'SCHEMA', subject: 'tickets-value', version: 1, magic: 1 })
      onBroker = await EmbeddedSchemaRegistry.start({ kafka })
      const restarted = new SchemaRegistry({ host: onBroker.url })
      expect(await restarted.getRegistryIdBySchema('tickets-value', { type: SchemaType.AVRO, schema: JSON.stringify(v1) })).toBe(first.id)
      expect(await restarted.getLatestSchemaId('tickets-value')).toBe(second.id)
      expect(await restarted.decode(encoded)).toEqual({ ticketId: 'T-9', priority: 2 })
      const keySchema = { type: 'record', name: 'TicketKey', fields: [{ name: 'id', type: 'string' }] }
      const third = await restarted.register({ type: SchemaType.AVRO, schema: JSON.stringify(keySchema) }, { subject: 'tickets-key' })
      expect(third.id).toBe(second.id + 1)
      await onBroker.close()
      await kafka.close()
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

describe('EmbeddedSchemaRegistry with basicAuth', () => {
  it("answers 401 as Confluent's registry does without valid credentials, and serves those who give them", async () => {
    const secured = await EmbeddedSchemaRegistry.start({ basicAuth: { alice: 'wonderland' } })
    try {
      const get = (authorization?: string) =>
        fetch(`${secured.url}/subjects`, authorization === undefined ? {} : { headers: { authorization } })
      const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`
      for (const refused of [await get(), await get(basic('alice:wrong')), await get(basic('bob:wonderland')), await get('Bearer x')]) {
        expect(refused.status).toBe(401)
        expect(refused.headers.get('www-authenticate')).toBe('Basic realm="SchemaRegistry"')
        expect(await refused.json()).toEqual({ error_code: 401, message: 'Unauthorized' })
      }
      const ok = await get(basic('alice:wonderland'))
      expect(ok.status).toBe(200)
      expect(await ok.json()).toEqual([])
      // The client library's own basic auth is what Tributary's serdes use.
      const client = new SchemaRegistry({ host: secured.url, auth: { username: 'alice', password: 'wonderland' } })
      const { id } = await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, { subject: 'tickets-value' })
      expect(id).toBe(1)
    } finally {
      await secured.close()
    }
  })
})
