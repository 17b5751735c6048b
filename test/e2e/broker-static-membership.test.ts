import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { ApiKey } from '../../src/broker/protocol/api-keys.js'
import { haveKcat, KCAT, KcatProcess } from '../broker/fixtures/kcat.js'
import { RawClient } from '../broker/fixtures/raw-client.js'
import { waitFor } from '../broker/fixtures/wait-for.js'

if (!haveKcat) console.warn(`static membership tests skipped: ${KCAT} is not installed (apt-get install kcat)`)

const GROUP = 'dispatchers'
const TOPIC = 'ride-requests'
const SESSION_TIMEOUT_MS = 20_000

/** librdkafka prints "assigned: ride-requests [0], ride-requests [2]" after each rebalance. */
const ASSIGNED = /rebalanced \(memberid (\S+)\): assigned: ([^\n]*)\n/

describe.skipIf(!haveKcat)('static membership (KIP-345) with kcat and @platformatic/kafka', () => {
  let kafka: EmbeddedKafka
  const closers: Array<() => Promise<unknown>> = []

  beforeEach(async () => {
    kafka = await EmbeddedKafka.start({ defaultPartitions: 4 })
    const admin = new Admin({ clientId: 'setup', bootstrapBrokers: [kafka.bootstrapServers] })
    await admin.createTopics({ topics: [TOPIC], partitions: 4, replicas: 1 })
    await admin.close()
  })

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined)
    await kafka.close()
  })

  function kcatMember(instanceId: string): KcatProcess {
    const member = new KcatProcess([
      '-b', kafka.bootstrapServers, '-G', GROUP, '-u', '-f', '%p %k\n',
      '-X', `group.instance.id=${instanceId}`, '-X', `session.timeout.ms=${SESSION_TIMEOUT_MS}`,
      '-X', 'partition.assignment.strategy=roundrobin', '-X', 'auto.offset.reset=earliest', TOPIC,
    ])
    closers.push(() => member.kill())
    return member
  }

  async function describeGroup(): Promise<{ groupState: string; members: Array<{ memberId: string; groupInstanceId: string | null }> }> {
    const raw = await RawClient.connect(kafka.bootstrapServers)
    try {
      const res = await raw.request(ApiKey.DescribeGroups, 5, { groups: [GROUP], includeAuthorizedOperations: false })
      return (res.groups as Array<{ groupState: string; members: Array<{ memberId: string; groupInstanceId: string | null }> }>)[0]!
    } finally {
      raw.close()
    }
  }

  it('a SIGKILLed member restarted with its instance id gets its partitions back at once, without a rebalance', async () => {
    const producer = new Producer({ clientId: 'requests', bootstrapBrokers: [kafka.bootstrapServers], serializers: stringSerializers })
    closers.push(() => producer.close())
    await producer.send({ messages: [0, 1, 2, 3].map((p) => ({ topic: TOPIC, key: `before-${p}`, value: 'x', partition: p })) })

    // The other member: an independent client whose generation must not change.
    const other = new Consumer({
      groupId: GROUP, groupInstanceId: 'dispatcher-b', clientId: 'dispatcher-b', bootstrapBrokers: [kafka.bootstrapServers],
      deserializers: stringDeserializers, sessionTimeout: SESSION_TIMEOUT_MS, heartbeatInterval: 200, rebalanceTimeout: SESSION_TIMEOUT_MS, maxWaitTime: 100,
    })
    closers.push(() => other.close())
    const events: string[] = []
    other.on('consumer:group:join', (e: { generationId: number }) => events.push(`join ${e.generationId}`))
    other.on('consumer:group:rebalance', () => events.push('rebalance'))
    const stream = await other.consume({ topics: [TOPIC], mode: 'earliest', autocommit: true })
    closers.push(() => stream.close())

    const first = kcatMember('dispatcher-a')
    const [, firstId, firstAssigned] = await first.waitForStderr(ASSIGNED)
    await waitFor('the other member to join the two-member generation', () => other.generationId === 2 && (other.assignments?.length ?? 0) > 0)
    expect(firstAssigned).toMatch(/ride-requests \[\d\]/)
    const mine = [...firstAssigned!.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]))
    await waitFor('the first member to read its partitions', () => mine.every((p) => first.stdout.includes(`${p} before-${p}`)))
    const generation = other.generationId
    const eventsBefore = [...events]

    await first.kill('SIGKILL')
    const restartedAt = Date.now()
    const second = kcatMember('dispatcher-a')
    const [, secondId, secondAssigned] = await second.waitForStderr(ASSIGNED)
    const resumedInMs = Date.now() - restartedAt
    expect(secondAssigned).toBe(firstAssigned)
    expect(secondId).not.toBe(firstId)
    expect(resumedInMs).toBeLessThan(SESSION_TIMEOUT_MS / 4)
    // It reads what arrives in its partitions from now on.
    await producer.send({ messages: [0, 1, 2, 3].map((p) => ({ topic: TOPIC, key: `after-${p}`, value: 'x', partition: p })) })
    await waitFor('the restarted member to read its partitions', () => mine.every((p) => second.stdout.includes(`${p} after-${p}`)))
    expect(second.stdout).not.toMatch(new RegExp(`^[^${mine.join('')}] `, 'm'))

    // Several heartbeats later the other member has seen no rebalance and kept its generation.
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(other.generationId).toBe(generation)
    expect(events).toEqual(eventsBefore)
    const group = await describeGroup()
    expect(group.groupState).toBe('Stable')
    expect(group.members.map((m) => [m.groupInstanceId, m.memberId === secondId]).sort())
      .toEqual([['dispatcher-a', true], ['dispatcher-b', false]])
  })
})
