import { afterEach, describe, expect, it } from 'vitest'
import { commonProtocols, selectProtocol, supportsProtocols } from '../../../src/broker/groups/protocol-selection.js'
import { Harness, join, joinNew } from './fixtures.js'

const member = (...names: string[]) => ({ protocols: names.map((name) => ({ name })) })

describe('protocol selection', () => {
  it('finds the protocols every member supports', () => {
    expect([...commonProtocols([member('range', 'cooperative-sticky'), member('cooperative-sticky', 'range', 'roundrobin')])].sort())
      .toEqual(['cooperative-sticky', 'range'])
    expect(commonProtocols([member('range'), member('roundrobin')]).size).toBe(0)
  })

  it('picks the protocol most members prefer among the common ones', () => {
    expect(selectProtocol([member('range', 'roundrobin'), member('roundrobin', 'range'), member('roundrobin')])).toBe('roundrobin')
    // 'sticky' is preferred by the first member but not supported by all, so it gets no votes.
    expect(selectProtocol([member('sticky', 'range', 'roundrobin'), member('range', 'roundrobin'), member('roundrobin', 'range')])).toBe('range')
  })

  it('breaks a tie by the first member preference and returns null without a common protocol', () => {
    expect(selectProtocol([member('roundrobin', 'range'), member('range', 'roundrobin')])).toBe('roundrobin')
    expect(selectProtocol([member('range'), member('roundrobin')])).toBeNull()
  })

  it('lets a member in only with the group protocol type and a protocol all members share', () => {
    const members = [member('range', 'roundrobin')]
    expect(supportsProtocols(null, [], 'consumer', [{ name: 'range' }])).toBe(true)
    expect(supportsProtocols(null, [], '', [{ name: 'range' }])).toBe(false)
    expect(supportsProtocols(null, [], 'consumer', [])).toBe(false)
    expect(supportsProtocols('consumer', members, 'consumer', [{ name: 'roundrobin' }])).toBe(true)
    expect(supportsProtocols('consumer', members, 'connect', [{ name: 'range' }])).toBe(false)
    expect(supportsProtocols('consumer', members, 'consumer', [{ name: 'sticky' }])).toBe(false)
  })
})

describe('protocol selection through JoinGroup', () => {
  const h = new Harness()
  afterEach(() => h.cleanup())

  it('answers INCONSISTENT_GROUP_PROTOCOL for no common protocol or another protocol type', async () => {
    const c = await h.start()
    const a = await joinNew(c, { protocols: [{ name: 'range', metadata: Buffer.from('a') }] })
    await a.joined
    expect((await join(c, { protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] })).errorCode).toBe(23)
    expect((await join(c, { protocolType: 'connect' })).errorCode).toBe(23)
  })

  it('selects the voted protocol and hands the leader each member metadata for it', async () => {
    const c = await h.start()
    const both = (first: string, second: string, tag: string) => [
      { name: first, metadata: Buffer.from(`${tag}:${first}`) },
      { name: second, metadata: Buffer.from(`${tag}:${second}`) },
    ]
    const a = await joinNew(c, { protocols: both('range', 'roundrobin', 'a'), clientId: 'a' })
    const aFirst = await a.joined
    expect(aFirst.protocolName).toBe('range')
    const b = await joinNew(c, { protocols: both('roundrobin', 'range', 'b'), clientId: 'b' })
    const x = await joinNew(c, { protocols: [{ name: 'roundrobin', metadata: Buffer.from('x:roundrobin') }], clientId: 'x' })
    const [aRes, bRes, xRes] = await Promise.all([join(c, { memberId: a.memberId, protocols: both('range', 'roundrobin', 'a') }), b.joined, x.joined])
    for (const res of [aRes, bRes, xRes]) expect(res.protocolName).toBe('roundrobin')
    expect((aRes.members as Array<{ metadata: Buffer }>).map((m) => m.metadata.toString())).toEqual(['a:roundrobin', 'b:roundrobin', 'x:roundrobin'])
  })
})
