import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import type { BrokerLogger } from '../logger.js'

/** Decodes one request frame and answers it: the chunks to send, or null for no response. */
export type FrameHandler = (frame: Buffer, connection: Connection) => Promise<Buffer[] | null> | Buffer[] | null

/** Pausing the socket past this many queued frames keeps a flooding client from using unbounded memory. */
const MAX_QUEUED_FRAMES = 64

/**
 * One client connection. Frames (int32 size + payload) are reassembled from the byte stream and
 * processed strictly one at a time, as Kafka does, so responses leave in request order and a
 * produce is applied before a fetch pipelined behind it. Any malformed input closes this
 * connection only, with the reason logged.
 */
export class Connection {
  private readonly chunks: Buffer[] = []
  private buffered = 0
  private readonly queue: Buffer[] = []
  /** When each queued frame arrived (performance.now()), for the watchdog. */
  private readonly queuedAt: number[] = []
  /** The request being handled and when it arrived; null between requests. */
  private handling: Buffer | null = null
  private handlingSince = 0
  private processing = false
  private closed = false
  /** Set by closeAfterResponse: why the connection ends once the response in hand is written. */
  private endReason: string | null = null
  readonly host: string
  /** `host:port` of the client. */
  readonly address: string

  constructor(
    private readonly socket: Socket,
    private readonly handle: FrameHandler,
    private readonly maxFrameBytes: number,
    private readonly logger: BrokerLogger,
    private readonly onClose: (c: Connection) => void,
  ) {
    this.host = socket.remoteAddress ?? 'unknown'
    this.address = `${this.host}:${socket.remotePort ?? 0}`
    socket.setNoDelay(true)
    socket.on('data', (data: Buffer) => this.onData(data))
    socket.on('error', (err) => this.logger.debug('connection error', { host: this.host, error: err.message }))
    socket.on('close', () => this.shutdown())
  }

  /** Closes the connection and logs why; used for every protocol violation. */
  close(reason: string): void {
    if (this.closed) return
    this.logger.warn('closing connection', { host: this.host, reason })
    this.socket.destroy()
    this.shutdown()
  }

  /**
   * Ends the connection once the response to the request being handled has been written, as
   * Kafka closes one after answering a failed authentication; requests behind it are dropped.
   */
  closeAfterResponse(reason: string): void {
    this.endReason ??= reason
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** Requests received and not answered yet: the one being handled and those queued behind it. */
  get pendingRequests(): number {
    return this.queue.length + (this.handling === null ? 0 : 1)
  }

  /** The oldest of them (the one being handled, else the first queued) and when it arrived. */
  oldestPendingRequest(): { frame: Buffer; receivedAt: number } | null {
    if (this.handling !== null) return { frame: this.handling, receivedAt: this.handlingSince }
    return this.queue.length === 0 ? null : { frame: this.queue[0], receivedAt: this.queuedAt[0] }
  }

  /** The client is not reading its responses, so the next request waits until it does. */
  get writeBlocked(): boolean {
    return this.socket.writableNeedDrain
  }

  private shutdown(): void {
    if (this.closed) return
    this.closed = true
    this.queue.length = 0
    this.queuedAt.length = 0
    this.handling = null
    this.chunks.length = 0
    this.onClose(this)
  }

  private onData(data: Buffer): void {
    if (this.closed) return
    this.chunks.push(data)
    this.buffered += data.length
    const receivedAt = performance.now()
    while (this.buffered >= 4) {
      const head = this.chunks[0].length >= 4 ? this.chunks[0] : this.merge()
      const size = head.readInt32BE(0)
      if (size < 0 || size > this.maxFrameBytes) {
        this.close(`frame size ${size} is outside 0..${this.maxFrameBytes} bytes`)
        return
      }
      if (this.buffered < 4 + size) break
      const all = this.chunks.length === 1 ? this.chunks[0] : this.merge()
      this.queue.push(all.subarray(4, 4 + size))
      this.queuedAt.push(receivedAt)
      const rest = all.subarray(4 + size)
      this.chunks.length = 0
      this.buffered = rest.length
      if (rest.length > 0) this.chunks.push(rest)
    }
    if (this.queue.length > MAX_QUEUED_FRAMES) this.socket.pause()
    void this.drain()
  }

  private writable(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done)
        this.socket.off('close', done)
        resolve()
      }
      this.socket.on('drain', done)
      this.socket.on('close', done)
    })
  }

  private merge(): Buffer {
    const merged = Buffer.concat(this.chunks, this.buffered)
    this.chunks.length = 0
    this.chunks.push(merged)
    return merged
  }

  private async drain(): Promise<void> {
    if (this.processing) return
    this.processing = true
    try {
      while (this.queue.length > 0 && !this.closed) {
        const frame = this.queue.shift() as Buffer
        this.handling = frame
        this.handlingSince = this.queuedAt.shift() as number
        if (this.queue.length <= MAX_QUEUED_FRAMES / 2 && this.socket.isPaused()) this.socket.resume()
        let response: Buffer[] | null
        try {
          response = await this.handle(frame, this)
        } catch (error) {
          this.close(`request failed: ${error instanceof Error ? error.message : String(error)}`)
          return
        } finally {
          this.handling = null
        }
        if (response !== null && !this.closed) {
          if (response.length === 1) this.socket.write(response[0])
          else {
            this.socket.cork()
            for (const chunk of response) this.socket.write(chunk)
            this.socket.uncork()
          }
          // A client that does not read its responses must not make the broker buffer them all.
          if (this.socket.writableNeedDrain && this.endReason === null) await this.writable()
        }
        if (this.endReason !== null) {
          this.logger.warn('closing connection', { host: this.host, reason: this.endReason })
          // end() sends what is written (and TLS's close_notify) before the socket goes; a client
          // that does not read it is cut off after a second.
          this.socket.end(() => this.socket.destroy())
          setTimeout(() => this.socket.destroy(), 1000).unref()
          this.shutdown()
          return
        }
      }
    } finally {
      this.processing = false
    }
  }
}
