// A real browser for the tests that need one (CORS): Debian's headless Chromium driven by
// playwright-core, which brings no browser of its own. A page served on 127.0.0.1 at a port of
// its own is an origin of its own; a test calls an API from it with fetch and gets back what
// the page could see, as a browser enforces it.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where Debian's chromium package puts the browser; `CDK_LOCAL_CHROMIUM` names another. */
export const CHROMIUM_PATH = process.env['CDK_LOCAL_CHROMIUM'] ?? '/usr/bin/chromium';

/** Every process of one launched browser carries this variable, so none can go unnoticed. */
const MARKER_VARIABLE = 'CDK_LOCAL_BROWSER_MARKER';

/** A page server: its origin (`http://127.0.0.1:<port>`), and how to stop it. */
export interface PageServer extends AsyncDisposable {
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves an empty HTML page at every path on 127.0.0.1, on a free port: an origin of its own. */
export async function servePage(): Promise<PageServer> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><title>cdk-local test page</title>');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('The page server has no port.');
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
  return { origin: `http://127.0.0.1:${address.port}`, close, [Symbol.asyncDispose]: close };
}

/** What a page's `fetch` may be given: what crosses into the page as JSON. */
export interface PageFetchInit {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** @default 'same-origin' (fetch's own default) */
  readonly credentials?: 'omit' | 'same-origin' | 'include';
}

/** What the page saw: the response as CORS lets a script read it, or the error fetch threw. */
export type PageFetchOutcome =
  | {
      readonly ok: true;
      readonly status: number;
      /** The headers the script can read (CORS-safelisted and exposed ones), lower case. */
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
    }
  | { readonly ok: false; readonly errorName: string; readonly message: string };

/** A launched headless Chromium with one page per origin. */
export interface BrowserHarness extends AsyncDisposable {
  /** The browser context the pages share (cookies, the preflight cache). */
  readonly context: BrowserContext;
  /** Calls `fetch(url, init)` from a page of `origin` and returns what the page saw. */
  fetchFrom(origin: string, url: string, init?: PageFetchInit): Promise<PageFetchOutcome>;
  /** Closes the browser and waits until none of its processes is left; idempotent. */
  close(): Promise<void>;
}

/** The live processes whose environment carries `marker`. */
async function markedProcesses(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(`${MARKER_VARIABLE}=${marker}`)) found.push(Number(entry));
  }
  return found;
}

/**
 * Launches Debian's Chromium headless. Without it the test fails here, saying how to install
 * it, rather than skipping: CI installs it (see .ci/run).
 */
export async function launchBrowser(): Promise<BrowserHarness> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install chromium, as .ci/run does) or set CDK_LOCAL_CHROMIUM to a Chromium binary.`);
  }
  const marker = randomUUID();
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    // CI runs as root, where Chromium's own sandbox cannot start.
    chromiumSandbox: false,
    env: { ...process.env, [MARKER_VARIABLE]: marker },
    timeout: 60_000,
  });
  const context = await browser.newContext();
  const pages = new Map<string, Promise<Page>>();
  const pageOf = (origin: string): Promise<Page> => {
    let page = pages.get(origin);
    if (page === undefined) {
      page = (async () => {
        const opened = await context.newPage();
        await opened.goto(`${origin}/`, { timeout: 60_000 });
        return opened;
      })();
      pages.set(origin, page);
    }
    return page;
  };
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await browser.close();
      // The browser's helpers (zygote, renderers, GPU) end after it: wait for every one.
      for (let waitedMs = 0; waitedMs < 15_000; waitedMs += 100) {
        if ((await markedProcesses(marker)).length === 0) return;
        await sleep(100);
      }
      const left = await markedProcesses(marker);
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
      throw new Error(`Chromium left processes behind after closing: ${left.join(', ')}`);
    })());
  return {
    context,
    async fetchFrom(origin, url, init = {}) {
      const page = await pageOf(origin);
      return page.evaluate(
        async ({ target, options }): Promise<PageFetchOutcome> => {
          try {
            const response = await fetch(target, options);
            const headers: Record<string, string> = {};
            response.headers.forEach((value, name) => {
              headers[name] = value;
            });
            return { ok: true, status: response.status, headers, body: await response.text() };
          } catch (error) {
            const { name, message } = error as Error;
            return { ok: false, errorName: name, message };
          }
        },
        { target: url, options: init },
      );
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
