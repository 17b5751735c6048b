import { RUNNING_ACTIVE } from './subscription-info.js'

/** A task to place. Stateful tasks have stores backed by changelogs: they get standbys and prefer instances holding their state. */
export interface AssignableTask {
  readonly id: string
  readonly stateful: boolean
}

/** One instance as the leader sees it: how much of each task's state it holds (`SubscriptionInfo.taskOffsetSums`). */
export interface AssignableClient {
  readonly id: string
  readonly offsetSums: ReadonlyMap<string, number>
}

export interface ClientTasks {
  readonly active: string[]
  readonly standby: string[]
}

/** How caught up a client's copy of a task is: higher restores less. */
function caughtUp(client: AssignableClient, taskId: string): number {
  const sum = client.offsetSums.get(taskId)
  if (sum === undefined) return -1
  return sum === RUNNING_ACTIVE ? Number.POSITIVE_INFINITY : sum
}

const byId = <T extends { readonly id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/**
 * Places every task's active copy on one client and each stateful task's standbys on others, as
 * Kafka Streams' HighAvailabilityTaskAssignor does without warm-up replicas:
 *
 * - Balance first: no client runs more than its share of the stateful tasks (rounded up), nor of
 *   all tasks.
 * - Within that, a task goes to the client whose copy of its state is the most caught up: the
 *   client running it now, else the highest offset sum (a standby's position or a checkpoint),
 *   so that it restores the least. Claims are settled by what losing them would cost (how much
 *   further behind the next best copy is): each task whose best client still has room goes
 *   there, then the rest go to the most caught-up client with room, the least loaded among equals.
 * - Standbys: up to `numStandbyReplicas` per stateful task, never on the client with its active
 *   copy or another of its standbys (so at most one fewer than there are clients), preferring
 *   clients that already hold its state while each holds about its share of standbys.
 *
 * Deterministic whatever order tasks and clients come in: every leader computes the same plan.
 */
export function assignTasks(tasks: readonly AssignableTask[], clients: readonly AssignableClient[], numStandbyReplicas: number): Map<string, ClientTasks> {
  const sorted = [...clients].sort(byId)
  const plan = new Map<string, ClientTasks>(sorted.map((c) => [c.id, { active: [], standby: [] }]))
  if (sorted.length === 0) return plan
  const ordered = [...tasks].sort(byId)
  const stateful = ordered.filter((t) => t.stateful)
  const share = (count: number) => Math.ceil(count / sorted.length)
  placeActive(stateful, sorted, plan, share(stateful.length))
  placeActive(
    ordered.filter((t) => !t.stateful),
    sorted,
    plan,
    share(ordered.length),
  )
  placeStandbys(stateful, sorted, plan, Math.min(Math.max(0, Math.floor(numStandbyReplicas)), sorted.length - 1))
  return plan
}

function placeActive(tasks: readonly AssignableTask[], clients: readonly AssignableClient[], plan: Map<string, ClientTasks>, capacity: number): void {
  const load = (c: AssignableClient) => (plan.get(c.id) as ClientTasks).active.length
  const give = (task: AssignableTask, client: AssignableClient) => (plan.get(client.id) as ClientTasks).active.push(task.id)
  const rank = (task: AssignableTask) => (a: AssignableClient, b: AssignableClient) => caughtUp(b, task.id) - caughtUp(a, task.id) || load(a) - load(b) || byId(a, b)
  // Claims are settled by what losing them costs: the gap between the best copy and the next.
  const claims = tasks
    .map((task) => {
      const [first, second] = [...clients].sort(rank(task)).map((c) => caughtUp(c, task.id))
      const best = first ?? -1
      const next = Math.max(0, second ?? 0)
      return { task, best, regret: best < 0 || best === next ? 0 : best - next }
    })
    .sort((a, b) => b.regret - a.regret || byId(a.task, b.task))
  const left: AssignableTask[] = []
  for (const { task, best } of claims) {
    const holder = best < 0 ? undefined : clients.filter((c) => caughtUp(c, task.id) === best && load(c) < capacity).sort(rank(task))[0]
    if (holder !== undefined) give(task, holder)
    else left.push(task)
  }
  for (const task of left) give(task, clients.filter((c) => load(c) < capacity).sort(rank(task))[0] as AssignableClient)
}

function placeStandbys(tasks: readonly AssignableTask[], clients: readonly AssignableClient[], plan: Map<string, ClientTasks>, replicas: number): void {
  if (replicas === 0) return
  const capacity = Math.ceil((tasks.length * replicas) / clients.length)
  const standbys = (c: AssignableClient) => (plan.get(c.id) as ClientTasks).standby.length
  const holds = (c: AssignableClient, taskId: string) => {
    const held = plan.get(c.id) as ClientTasks
    return held.active.includes(taskId) || held.standby.includes(taskId)
  }
  for (let replica = 0; replica < replicas; replica++) {
    for (const task of tasks) {
      const room = (c: AssignableClient) => (standbys(c) < capacity ? 0 : 1)
      const best = clients
        .filter((c) => !holds(c, task.id))
        .sort((a, b) => room(a) - room(b) || caughtUp(b, task.id) - caughtUp(a, task.id) || standbys(a) - standbys(b) || byId(a, b))[0]
      if (best !== undefined) (plan.get(best.id) as ClientTasks).standby.push(task.id)
    }
  }
}
