import { createServer, connect, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy between Kafka clients and the broker: the broker advertises the proxy's address, so
 * every connection, bootstrap or not, goes through it. `cutAll()` destroys every open connection
 * at once, as a network failure or a load balancer's reset would; `cutFor(ms)` also refuses new
 * connections for a while, as a network that stays down does.
 */
export class TcpProxy {
  private readonly pairs = new Set<[Socket, Socket]>()
  private refusingUntil = 0

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /**
   * Listens on `port` of 127.0.0.1 (0 picks a free one) and forwards to `targetPort` (a function
   * when the broker starts after the proxy, to advertise the proxy's address).
   */
  static async start(targetPort: number | (() => number), port = 0): Promise<TcpProxy> {
    const server = createServer()
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve())
    })
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('The proxy has no TCP address.')
    const proxy = new TcpProxy(server, address.port)
    server.on('connection', (client) => proxy.forward(client, typeof targetPort === 'number' ? targetPort : targetPort()))
    return proxy
  }

  /** Connections open now. */
  get connections(): number {
    return this.pairs.size
  }

  /** Resets every open connection; new ones are accepted as before. */
  cutAll(): number {
    const cut = this.pairs.size
    for (const [client, upstream] of this.pairs) {
      client.destroy()
      upstream.destroy()
    }
    this.pairs.clear()
    return cut
  }

  /** Resets every open connection and refuses new ones for `ms` milliseconds. */
  cutFor(ms: number): number {
    this.refusingUntil = Date.now() + ms
    return this.cutAll()
  }

  async close(): Promise<void> {
    this.cutAll()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private forward(client: Socket, targetPort: number): void {
    if (Date.now() < this.refusingUntil) {
      client.on('error', () => undefined).resetAndDestroy()
      return
    }
    const upstream = connect(targetPort, '127.0.0.1')
    const pair: [Socket, Socket] = [client, upstream]
    this.pairs.add(pair)
    const drop = () => {
      this.pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    // Either side failing or closing ends both: the client sees what a dropped connection looks like.
    for (const socket of pair) {
      socket.setNoDelay(true)
      socket.on('error', drop)
      socket.on('close', drop)
    }
    client.pipe(upstream)
    upstream.pipe(client)
  }
}
