// Which endpoint to try next, and when to stop. The rule: move on only when the node certainly did
// nothing (refused connection, 503 "no leader, not applied", "not the leader" for admin requests);
// a write that was sent and got no answer, a 500 or a 504 may have happened, so it is reported as
// indefinite and never tried again elsewhere as if nothing had happened. A read changes nothing,
// so a read is tried on the next endpoint whatever went wrong.
import type { Endpoint } from './endpoints.ts';
import { sendRequest, type Attempt, type RequestSettings } from './http-request.ts';

export interface Plan {
  method: string;
  path: string;
  body?: string;
  /** Reads may be repeated anywhere; writes (kv writes, cas, admin actions) may not be repeated once they may have happened. */
  effect: 'read' | 'write';
  /** Admin actions go to the leader: ask every endpoint who leads and try that one first. */
  leaderFirst?: boolean;
}

export interface RetrySettings extends RequestSettings {
  /** Keep trying other endpoints while they answer "not now" for this long. */
  commandTimeoutMs: number;
}

export type PlanResult =
  /** An answer that settles the matter (2xx, or a definite refusal such as 404 or 409). */
  | { kind: 'answer'; endpoint: Endpoint; status: number; body: unknown }
  /** The operation may or may not have happened. */
  | { kind: 'indefinite'; endpoint: Endpoint; reason: string }
  /** No endpoint could take it; nothing happened anywhere. */
  | { kind: 'unavailable'; reasons: string[] };

/** Statuses that mean the node did nothing and another node (or a moment later) may do better. */
function saysTryElsewhere(status: number, body: unknown): boolean {
  if (status === 503) return true;
  // A follower refusing an admin action addressed to the leader (POST /admin/transfer-leader does this).
  return status === 409 && typeof body === 'object' && body !== null && /not the leader/.test(String((body as { error?: unknown }).error));
}

/** Statuses whose body says the outcome is unknown. */
function saysIndefinite(status: number): boolean {
  return status === 500 || status === 504;
}

export function errorText(body: unknown): string {
  if (typeof body === 'object' && body !== null && 'error' in body) return String((body as { error: unknown }).error);
  return typeof body === 'string' ? body.trim().slice(0, 200) : JSON.stringify(body);
}

/** The endpoints ordered with the one that says it leads (highest term) first. */
export async function leaderFirst(endpoints: readonly Endpoint[], settings: RequestSettings): Promise<Endpoint[]> {
  const quick = { ...settings, requestTimeoutMs: Math.min(settings.requestTimeoutMs, 2000) };
  const answers = await Promise.all(endpoints.map((e) => sendRequest(e, 'GET', '/status', undefined, quick)));
  let best: { endpoint: Endpoint; term: number } | null = null;
  for (const a of answers) {
    if (a.kind !== 'answer' || a.status !== 200 || typeof a.body !== 'object' || a.body === null) continue;
    const s = a.body as { state?: unknown; term?: unknown };
    if (s.state === 'leader' && typeof s.term === 'number' && (best === null || s.term > best.term)) best = { endpoint: a.endpoint, term: s.term };
  }
  if (best === null) return [...endpoints];
  return [best.endpoint, ...endpoints.filter((e) => e !== best.endpoint)];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs the plan against the endpoints in order, in rounds, until an answer settles it or time is up. */
export async function runPlan(plan: Plan, endpoints: readonly Endpoint[], settings: RetrySettings): Promise<PlanResult> {
  const giveUpAt = Date.now() + settings.commandTimeoutMs;
  const reasons: string[] = [];
  for (;;) {
    const order = plan.leaderFirst === true ? await leaderFirst(endpoints, settings) : endpoints;
    reasons.length = 0;
    for (const endpoint of order) {
      const attempt: Attempt = await sendRequest(endpoint, plan.method, plan.path, plan.body, settings);
      if (attempt.kind === 'unreachable') {
        reasons.push(`${endpoint.label}: ${attempt.reason}`);
        continue;
      }
      if (attempt.kind === 'lost') {
        if (plan.effect === 'write') return { kind: 'indefinite', endpoint, reason: attempt.reason };
        reasons.push(`${endpoint.label}: ${attempt.reason}`);
        continue;
      }
      if (saysIndefinite(attempt.status)) {
        const reason = `HTTP ${attempt.status}: ${errorText(attempt.body)}`;
        if (plan.effect === 'write') return { kind: 'indefinite', endpoint, reason };
        reasons.push(`${endpoint.label}: ${reason}`);
        continue;
      }
      if (saysTryElsewhere(attempt.status, attempt.body)) {
        reasons.push(`${endpoint.label}: HTTP ${attempt.status}: ${errorText(attempt.body)}`);
        continue;
      }
      return attempt;
    }
    // Every endpoint said "not now" (an election, a node restarting): wait a little and ask again.
    const left = giveUpAt - Date.now();
    if (left <= 0) return { kind: 'unavailable', reasons: [...reasons] };
    await sleep(Math.min(200, left));
  }
}
