import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { haveKcat, kcat, KCAT } from '../broker/fixtures/kcat.js'
import { ErrorCode } from '../../src/broker/protocol/error-codes.js'
import { RawClient } from '../broker/fixtures/raw-client.js'
import { identity, producerBatchOf, TxnCalls } from '../broker/fixtures/txn-client.js'

if (!haveKcat) console.warn(`kcat transaction tests skipped: ${KCAT} is not installed (apt-get install kcat)`)

describe.skipIf(!haveKcat)('transactions with kcat (librdkafka)', () => {
  let kafka: EmbeddedKafka
  let raw: RawClient

  beforeAll(async () => {
    kafka = await EmbeddedKafka.start({ defaultPartitions: 1 })
    raw = await RawClient.connect(kafka.bootstrapServers)
  })

  afterAll(async () => {
    raw.close()
    await kafka.close()
  })

  it('produces with a transactional id and reads back with read_committed, skipping aborted and open transactions', async () => {
    const lines = Array.from({ length: 5 }, (_, i) => `driver${i}:shift${i}`).join('\n') + '\n'
    await kcat(['-b', kafka.bootstrapServers, '-P', '-t', 'shifts', '-K:', '-X', 'transactional.id=kcat-shifts'], lines)

    const txn = new TxnCalls(raw)
    // Five records and the commit marker kcat's transaction ended with.
    expect(await txn.latestOffset('shifts', 0, 0)).toBe(6n)
    const tail = await txn.fetch('shifts', 0, 5n, 1)
    expect(((tail.records as Buffer).readInt16BE(21) & 0x30).toString(16)).toBe('30') // transactional + control

    // An aborted transaction, then one left open, from another transactional producer.
    const who = identity(await txn.init('other-shifts'))
    expect(await txn.addPartitions('other-shifts', who, 'shifts', [0])).toEqual([ErrorCode.NONE])
    await txn.produce('shifts', 0, producerBatchOf([{ key: 'ghost', value: 'aborted' }], who, 0))
    expect(await txn.endTxn('other-shifts', who, false)).toBe(ErrorCode.NONE)
    await txn.addPartitions('other-shifts', who, 'shifts', [0])
    await txn.produce('shifts', 0, producerBatchOf([{ key: 'ghost', value: 'open' }], who, 1))

    const consume = (isolation: string): Promise<string> =>
      kcat(['-b', kafka.bootstrapServers, '-C', '-t', 'shifts', '-o', 'beginning', '-e', '-f', '%k=%s\n', '-X', `isolation.level=${isolation}`])
    const committed = (await consume('read_committed')).trim().split('\n')
    expect(committed).toEqual(Array.from({ length: 5 }, (_, i) => `driver${i}=shift${i}`))
    const everything = (await consume('read_uncommitted')).trim().split('\n')
    expect(everything).toEqual([...committed, 'ghost=aborted', 'ghost=open'])
  })
})
