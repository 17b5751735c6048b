import { brokerErrorNames } from './errors.js'

/**
 * Repeats `attempt` while it fails with one of the broker errors `names` (conditions Kafka's own
 * clients wait out rather than report), backing off from 10 ms to 200 ms, for up to `deadlineMs`;
 * then, or on any other error, the failure is the caller's.
 */
export async function retryOnBrokerError<T>(names: readonly string[], deadlineMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + deadlineMs
  for (let backoffMs = 10; ; backoffMs = Math.min(backoffMs * 2, 200)) {
    try {
      return await attempt()
    } catch (error) {
      if (!brokerErrorNames(error).some((name) => names.includes(name)) || Date.now() + backoffMs > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, backoffMs))
    }
  }
}
