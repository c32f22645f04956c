// Each ctl command: the requests it makes (through the retry policy) and what it prints. A command
// returns its exit status and its lines; run.ts writes them.
import type { CtlOptions } from './args.ts';
import { fetchStatuses, STATUS_HEADER, statusCells } from './member-status.ts';
import { errorText, runPlan, type Plan, type PlanResult } from './retry-policy.ts';
import { formatTable } from './table.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, indefinite: 3 } as const;

export interface CommandOutput {
  code: number;
  stdout: string[];
  stderr: string[];
}

const kvPath = (key: string): string => `/kv/${encodeURIComponent(key)}`;
const memberPath = (id: string): string => `/admin/members/${encodeURIComponent(id)}`;

/** What every command says when the plan did not end in an answer; null when it did. */
function unsettled(result: PlanResult, what: string): CommandOutput | null {
  if (result.kind === 'indefinite') {
    return {
      code: EXIT.indefinite,
      stdout: [],
      stderr: [`ctl: ${what}: outcome unknown (${result.reason}, from ${result.endpoint.label}): it may or may not have happened; not retried elsewhere`],
    };
  }
  if (result.kind === 'unavailable') {
    return { code: EXIT.failed, stdout: [], stderr: [`ctl: ${what}: no endpoint could serve it, nothing happened:`, ...result.reasons.map((r) => `  ${r}`)] };
  }
  return null;
}

function failed(what: string, result: { endpoint: { label: string }; status: number; body: unknown }): CommandOutput {
  return { code: EXIT.failed, stdout: [], stderr: [`ctl: ${what}: ${errorText(result.body)} (HTTP ${result.status} from ${result.endpoint.label})`] };
}

const ok = (stdout: string[]): CommandOutput => ({ code: EXIT.ok, stdout, stderr: [] });

/** A one-shot request with the usual handling: 2xx prints `onOk`, anything else is a failure or unknown. */
async function simple(options: CtlOptions, plan: Plan, what: string, onOk: (body: unknown) => string[]): Promise<CommandOutput> {
  const result = await runPlan(plan, options.endpoints, options);
  const early = unsettled(result, what);
  if (early !== null) return early;
  if (result.kind !== 'answer') throw new Error('unreachable');
  if (result.status < 200 || result.status > 299) return failed(what, result);
  return ok(options.output === 'json' ? [JSON.stringify(result.body)] : onOk(result.body));
}

const field = (body: unknown, name: string): unknown => (typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined);

export async function runCommand(options: CtlOptions): Promise<CommandOutput> {
  const c = options.command;
  switch (c.name) {
    case 'get':
      return simple(options, { method: 'GET', path: kvPath(c.key), effect: 'read' }, `get ${c.key}`, (body) => [JSON.stringify(field(body, 'value'))]);
    case 'put':
      return simple(options, { method: 'PUT', path: kvPath(c.key), body: JSON.stringify(c.value), effect: 'write' }, `put ${c.key}`, () => ['OK']);
    case 'cas':
      return simple(options, { method: 'POST', path: `${kvPath(c.key)}/cas`, body: JSON.stringify({ from: c.from, to: c.to }), effect: 'write' }, `cas ${c.key}`, () => ['OK']);
    case 'status': {
      const statuses = await fetchStatuses(options.endpoints, options);
      const code = statuses.every((s) => s.ok) ? EXIT.ok : EXIT.failed;
      if (options.output === 'json') {
        return { code, stdout: [JSON.stringify(statuses.map((s) => (s.ok ? { endpoint: s.endpoint.label, status: s.status } : { endpoint: s.endpoint.label, error: s.error })))], stderr: [] };
      }
      const rows = statuses.map((s) => [s.endpoint.label, ...statusCells(s)]);
      return { code, stdout: [formatTable(['ENDPOINT', ...STATUS_HEADER], rows)], stderr: [] };
    }
    case 'transfer-leader': {
      const path = c.to === null ? '/admin/transfer-leader' : `/admin/transfer-leader?to=${encodeURIComponent(c.to)}`;
      return simple(options, { method: 'POST', path, effect: 'write', leaderFirst: true }, 'transfer-leader', (body) => [
        `leadership moved from ${String(field(body, 'from'))} to ${String(field(body, 'to'))} in ${String(field(body, 'ms'))} ms`,
      ]);
    }
    case 'member-list':
      return simple(options, { method: 'GET', path: '/admin/members', effect: 'read' }, 'member list', (body) => {
        const members = field(body, 'members');
        const list = Array.isArray(members) ? (members as Record<string, unknown>[]) : [];
        const cell = (v: unknown): string => (v === undefined || v === null ? '-' : String(v));
        return [formatTable(['ID', 'RAFT ID', 'ADDRESS', 'ROLE', 'MATCH INDEX'], list.map((m) => [cell(m['id']), cell(m['raftId']), cell(m['address']), cell(m['role']), cell(m['matchIndex'])]))];
      });
    case 'member-add':
      return simple(
        options,
        { method: 'POST', path: '/admin/members', body: JSON.stringify({ id: c.id, address: c.address }), effect: 'write', leaderFirst: true },
        `member add ${c.id}`,
        () => [`added ${c.id} (${c.address}) as learner`],
      );
    case 'member-promote':
      return simple(options, { method: 'POST', path: `${memberPath(c.id)}/promote`, effect: 'write', leaderFirst: true }, `member promote ${c.id}`, () => [`promoted ${c.id} to voter`]);
    case 'member-remove':
      return simple(options, { method: 'DELETE', path: memberPath(c.id), effect: 'write', leaderFirst: true }, `member remove ${c.id}`, () => [`removed ${c.id} from the cluster`]);
    default: {
      const unknown: never = c;
      throw new Error(`unhandled command ${JSON.stringify(unknown)}`);
    }
  }
}
