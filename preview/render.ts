// Screenshots of the preview pages in headless Chromium (Debian's `chromium`, driven by playwright-core): one browser
// for a whole run, a fresh context per page, no network, a fixed width and device scale 1, the full page once its
// charts have set the "rendered" flag. What each panel ended up showing (its box and text) comes back with the PNG,
// so tests can check the drawing, not only that a file exists.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's package installs it here; DGMON_CHROMIUM points elsewhere (another Chromium or Chrome). */
export const CHROMIUM_PATH = process.env.DGMON_CHROMIUM ?? '/usr/bin/chromium';
export const DEFAULT_WIDTH = 1600;
const RENDER_TIMEOUT_MS = 30_000;

/** Chromium is not installed, or would not start: says what to install. */
export class BrowserError extends Error {
  override name = 'BrowserError';
}

export interface PanelBox {
  index: number;
  kind: string;
  x: number;
  y: number;
  width: number;
  height: number;
  text: string;
}

export interface Rendered {
  png: Buffer;
  width: number;
  height: number;
  panels: PanelBox[];
}

export interface Renderer {
  render(html: string, width?: number): Promise<Rendered>;
  close(): Promise<void>;
}

export async function openRenderer(executablePath = CHROMIUM_PATH): Promise<Renderer> {
  if (!existsSync(executablePath)) {
    throw new BrowserError(
      `Chromium not found at ${executablePath}; dgmon preview draws in headless Chromium: install the Debian package chromium ` +
        `(apt-get install --no-install-recommends chromium) or set DGMON_CHROMIUM to a Chromium or Chrome binary`,
    );
  }
  let browser: Browser;
  try {
    // playwright-core starts Chromium with a fresh temporary profile (--user-data-dir) and removes it on close.
    browser = await chromium.launch({
      executablePath,
      headless: true,
      timeout: RENDER_TIMEOUT_MS,
      // The caller closes the browser on a signal, after the scripted run's daemons; see preview/index.ts.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  } catch (err) {
    throw new BrowserError(`Chromium at ${executablePath} did not start: ${(err as Error).message.split('\n')[0]}`);
  }
  return {
    async render(html, width = DEFAULT_WIDTH) {
      const context = await browser.newContext({ viewport: { width, height: 300 }, deviceScaleFactor: 1, timezoneId: 'UTC', locale: 'en-GB', colorScheme: 'dark' });
      try {
        const page = await context.newPage();
        // The page holds everything it needs: any request at all is a bug, and must not leave the machine.
        await page.route('**/*', (route) => route.abort());
        const pageErrors: string[] = [];
        page.on('pageerror', (err) => pageErrors.push(err.message));
        await page.setContent(html, { waitUntil: 'load', timeout: RENDER_TIMEOUT_MS });
        await page
          .waitForFunction(() => document.body.dataset.rendered === 'true', undefined, { timeout: RENDER_TIMEOUT_MS })
          .catch((err: Error) => {
            throw new Error(`the page did not finish drawing${pageErrors.length ? `: ${pageErrors.join('; ')}` : ''} (${err.message.split('\n')[0]})`);
          });
        if (pageErrors.length) throw new Error(`the page failed: ${pageErrors.join('; ')}`);
        const panels = await page.$$eval('[data-panel]', (els) =>
          els.map((el) => {
            const r = el.getBoundingClientRect();
            return { index: Number((el as HTMLElement).dataset.panel), kind: (el as HTMLElement).dataset.kind ?? '', x: r.x, y: r.y, width: r.width, height: r.height, text: (el as HTMLElement).innerText };
          }),
        );
        const png = await page.screenshot({ fullPage: true, type: 'png', animations: 'disabled' });
        // Width and height from the PNG's header (IHDR), which is what the picture really is.
        return { png, width: png.readUInt32BE(16), height: png.readUInt32BE(20), panels };
      } finally {
        await context.close();
      }
    },
    close: () => browser.close(),
  };
}
