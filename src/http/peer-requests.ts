import { Agent, request } from 'node:http'
import { QueryError, retriable, type QueryAnswer } from './query-answer.js'

/** Marks a request one query server sends another: the receiver answers it itself and never forwards it again. */
export const FORWARDED_HEADER = 'x-tributary-forwarded'
/** The `applicationServer` (or the server's own address) of the instance that read the store. */
export const SERVED_BY_HEADER = 'x-tributary-served-by'

/**
 * Asks the query server of another instance (`address` is its `host:port`) for `path` (with its
 * query string), within `timeoutMs` for the whole exchange. A peer that cannot be reached is a
 * retriable 503: it is restarting or gone, and the group will give its partitions to another
 * instance. A peer that does not answer in time is a 504.
 */
export function askPeer(agent: Agent, address: string, path: string, timeoutMs: number): Promise<QueryAnswer> {
  return new Promise((resolve, reject) => {
    let settled = false
    const fail = (error: unknown) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      reject(peerError(address, error))
    }
    const req = request(`http://${address}${path}`, { agent, headers: { [FORWARDED_HEADER]: '1', accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', fail)
      res.on('end', () => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        const retryAfter = res.headers['retry-after']
        resolve({
          status: res.statusCode ?? 502,
          contentType: res.headers['content-type'] ?? 'application/json; charset=utf-8',
          body: Buffer.concat(chunks).toString('utf8'),
          ...(typeof retryAfter === 'string' ? { headers: { 'retry-after': retryAfter } } : {}),
        })
      })
    })
    const timer = setTimeout(() => req.destroy(new PeerTimeout()), timeoutMs)
    req.on('error', fail)
    req.end()
  })
}

class PeerTimeout extends Error {}

function peerError(address: string, error: unknown): QueryError {
  if (error instanceof PeerTimeout) {
    return new QueryError(504, 'PEER_TIMEOUT', `The instance at ${address} that holds the data did not answer within the query server's forwardTimeoutMs.`)
  }
  const reason = error instanceof Error ? error.message : String(error)
  return retriable(
    'PEER_UNREACHABLE',
    `The instance at ${address} that holds the data cannot be reached (${reason}). It may be restarting; once the group notices, another instance takes over its partitions. Retry shortly.`,
  )
}

/** The connections to peers, reused across requests; idle ones do not keep the process alive. */
export function peerAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 32 })
}
