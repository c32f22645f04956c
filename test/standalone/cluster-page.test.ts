// The live cluster page in a real browser: headless Chromium (Debian's `chromium` package) driven by
// playwright-core, against three real node processes. The page is opened on one node and talks to
// that origin only; its buttons move leadership, stop the leader and write a key.
//
// SAVE_SCREENSHOT=1 also writes the final view to docs/cluster-page.png (the picture in the docs).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterForThisFile, sleep } from './support/cluster.ts';
import { NODE_BIN } from '../support/stdio-node.ts';

const execFileAsync = promisify(execFile);

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`cluster page browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** The member the page marks as leader (its row's data-role), waiting up to `timeoutMs` for one other than `not`. */
async function markedLeader(page: Page, timeoutMs: number, not: string | null = null): Promise<string> {
  const handle = await page.waitForFunction(
    (excluded) => {
      const rows = [...document.querySelectorAll('#members tbody tr[data-role="leader"]')];
      const ids = rows.map((r) => r.getAttribute('data-member')).filter((id) => id !== excluded);
      return ids.length === 1 ? ids[0] : null;
    },
    not,
    { timeout: timeoutMs, polling: 20 },
  );
  return (await handle.jsonValue()) as string;
}

describe.skipIf(!hasChromium)('the live cluster page in headless Chromium', () => {
  const startCluster = clusterForThisFile();
  const profile = mkdtempSync(join(tmpdir(), 'raft-chromium-'));
  let context: BrowserContext | null = null;
  afterAll(async () => {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('marks the leader, transfers leadership, stops the leader and writes a key, all from the page', async () => {
    const c = await startCluster(3, ['--allow-admin-stop']);
    await c.agreedLeader(10_000);
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 860 } });
    const page = context.pages()[0] ?? (await context.newPage());
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));

    await page.goto(`${c.spec('1').httpUrl}/`);
    expect(await page.title()).toBe('Raft cluster');
    const first = await markedLeader(page, 5000);
    await page.waitForSelector('#transfer:not([disabled])');

    // Transfer leadership: another member is marked leader within 1 s of the click.
    const clickedAt = performance.now();
    await page.click('#transfer');
    const second = await markedLeader(page, 1000, first);
    console.log(`page: leader ${first} -> ${second} shown ${(performance.now() - clickedAt).toFixed(0)} ms after the click`);
    await page.waitForFunction(() => document.querySelector('#result')?.textContent?.includes('handed leadership to') === true, undefined, { timeout: 3000 });

    // Stop the leader from a page served by another node (stopping the page's own node would take the page down).
    const viewer = c.specs.map((s) => s.name).find((n) => n !== second) as string;
    await page.goto(`${c.spec(viewer).httpUrl}/`);
    await markedLeader(page, 5000);
    await page.waitForSelector(`button.stop[data-member="${second}"]:not([disabled])`); // --allow-admin-stop is on
    await page.click(`button.stop[data-member="${second}"]`);
    await page.waitForSelector(`#members tr[data-member="${second}"][data-up="false"]`, { timeout: 5000 });
    const third = await markedLeader(page, 5000, second);
    expect(third).not.toBe(second);
    expect(await c.procs.get(second)?.exited).toBe(0); // a graceful stop: SIGTERM, hand-over, exit 0

    // Write a key through the page, read it back with `dist/node.js ctl`, as a student would.
    await page.fill('#key', 'from-the-page');
    await page.fill('#value', '{"clicked": true}');
    await page.click('#write');
    await page.waitForFunction(() => document.querySelector('#result')?.textContent?.startsWith('wrote from-the-page') === true, undefined, { timeout: 5000 });
    const endpoints = c.specs.filter((s) => s.name !== second).map((s) => s.httpUrl).join(',');
    const read = await execFileAsync(process.execPath, [NODE_BIN, 'ctl', '--endpoints', endpoints, 'get', 'from-the-page'], { encoding: 'utf8', timeout: 20_000 });
    expect(JSON.parse(read.stdout)).toEqual({ clicked: true });

    // The replication bars and the link table follow the live cluster.
    await page.waitForSelector(`#replication .rep[data-member="${third}"]`);
    expect(await page.locator('#links td.link-down').count()).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);

    if (process.env['SAVE_SCREENSHOT'] === '1') {
      // For the picture: a few seconds of timeline with one more change of leader in it.
      await sleep(2500);
      await page.click('#transfer');
      await markedLeader(page, 3000, third);
      await sleep(3000);
    }
    const shot = join(profile, 'cluster-page.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    if (process.env['SAVE_SCREENSHOT'] === '1') copyFileSync(shot, join('docs', 'cluster-page.png'));
  }, 60_000);
});
