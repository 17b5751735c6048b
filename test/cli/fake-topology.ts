import { StreamsBuilder } from '../../src/dsl/index.js'
import { createKafkaClients } from '../../src/kafka/index.js'
import { Serdes } from '../../src/serde/index.js'
import type { CityFeed } from '../../src/cli/run/city-feed.js'
import type { BundledTopology } from '../../topologies/types.js'

export interface Ping {
  readonly n: number
}

/** A small bundled topology for the CLI tests: pings counted per key, and each ping doubled. */
export const fakeTopology: BundledTopology = {
  name: 'ping-count',
  description: 'Counts pings per key and doubles each ping',
  build() {
    const b = new StreamsBuilder()
    const pings = b.stream<string, Ping>('pings', { keySerde: Serdes.string(), valueSerde: Serdes.json<Ping>() })
    pings.groupByKey().count({ storeName: 'ping-counts' }).toStream().to('ping_counts', { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() })
    pings.mapValues((p) => ({ n: p.n * 2 })).to('doubled_pings', { keySerde: Serdes.string(), valueSerde: Serdes.json<Ping>() })
    return {
      topology: b.build(),
      inputs: ['pings'],
      outputs: [
        { topic: 'ping_counts', keySerde: Serdes.string(), valueSerde: Serdes.json<number>() },
        { topic: 'doubled_pings', keySerde: Serdes.string(), valueSerde: Serdes.json<Ping>() },
      ],
      stores: ['ping-counts'],
    }
  },
}

/** Fails on the 50th ping: a processor bug, so that the run stops with the application's error. */
export const failingTopology: BundledTopology = {
  name: 'ping-bomb',
  description: 'Throws on ping 50',
  build() {
    const b = new StreamsBuilder()
    b.stream<string, Ping>('pings', { keySerde: Serdes.string(), valueSerde: Serdes.json<Ping>() })
      .mapValues((p) => {
        if (p.n === 50) throw new Error('ping 50 is not welcome')
        return p
      })
      .to('survivors', { keySerde: Serdes.string(), valueSerde: Serdes.json<Ping>() })
    return {
      topology: b.build(),
      inputs: ['pings'],
      outputs: [{ topic: 'survivors', keySerde: Serdes.string(), valueSerde: Serdes.json<Ping>() }],
      stores: [],
    }
  },
}

export const secondFakeTopology: BundledTopology = {
  name: 'echo',
  description: 'Copies every ping',
  build() {
    const b = new StreamsBuilder()
    b.stream('pings').to('echoed')
    return { topology: b.build(), inputs: ['pings'], outputs: [], stores: [] }
  },
}

/**
 * A generator for `ping-count`: `perBatch` pings (keys k0..k4) every 100 ms until aborted, then
 * resolves with the counts it sent. `sent` lets a test compare with what the run reported.
 */
export function pingFeed(perBatch = 10): { feed: CityFeed; sent: () => number } {
  let total = 0
  const feed: CityFeed = async ({ bootstrapServers, signal, onProgress }) => {
    const clients = createKafkaClients({ bootstrapServers, clientId: 'ping-feed', applicationId: 'ping-feed' })
    const producer = clients.producer()
    try {
      while (!signal.aborted) {
        const batch = Array.from({ length: perBatch }, (_, i) => ({
          topic: 'pings',
          key: Buffer.from(`k${(total + i) % 5}`),
          value: Buffer.from(JSON.stringify({ n: total + i })),
        }))
        await producer.send(batch)
        total += batch.length
        onProgress(new Map([['pings', total]]))
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    } finally {
      await producer.close()
    }
    return new Map([['pings', total]])
  }
  return { feed, sent: () => total }
}
