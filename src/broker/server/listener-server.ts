import { createServer as createTcpServer, type Server } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import { BrokerError } from '../errors.js'
import type { BrokerTlsOptions } from '../security/options.js'

export interface ListenerServer {
  server: Server
  /** The server event that hands over a socket ready for Kafka frames: after the TLS handshake on a TLS listener. */
  readyEvent: 'connection' | 'secureConnection'
}

/**
 * The broker's TCP server, or a TLS server when `tls` is given. A client that does not complete
 * the TLS handshake (a plaintext Kafka client, say) never reaches the dispatcher: node:tls drops it.
 */
export function createListenerServer(tls: BrokerTlsOptions | undefined): ListenerServer {
  if (tls === undefined) return { server: createTcpServer(), readyEvent: 'connection' }
  try {
    const server = createTlsServer({
      key: tls.key,
      cert: tls.cert,
      ca: tls.ca,
      requestCert: tls.requestCert === true,
      rejectUnauthorized: tls.requestCert === true,
    })
    return { server, readyEvent: 'secureConnection' }
  } catch (cause) {
    throw new BrokerError(`tls: cannot use the given key and certificate (${(cause as Error).message}); pass PEM text or buffers of a matching pair.`, { cause })
  }
}
