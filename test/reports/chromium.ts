/**
 * Headless Chromium (Debian's `chromium` package) driven by playwright-core, for the report tests
 * and `scripts/screenshot-report.ts`. Nothing here touches the network.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const chromiumInstalled = () => existsSync(CHROMIUM_PATH);

/**
 * Why browser tests must be skipped, or undefined when they must run. In CI they always run: a
 * missing browser there is a failure, not a skip.
 */
export function chromiumSkipReason(): string | undefined {
  if (chromiumInstalled() || process.env.CI) return undefined;
  return `${CHROMIUM_PATH} is not installed (apt-get install chromium): browser tests skipped outside CI`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}
