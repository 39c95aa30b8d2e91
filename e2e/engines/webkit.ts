import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { Builder, By, Capabilities, type WebDriver } from 'selenium-webdriver';
import type { GuestBrowser } from './journey';
import { freePort, stopChild, tail, waitFor } from './support';

/**
 * WebKit, the engine of every iPhone browser: Debian's WebKitGTK (`webkit2gtk-driver`) gives
 * `WebKitWebDriver` and `MiniBrowser`, driven over W3C WebDriver by selenium-webdriver. MiniBrowser
 * needs a display: a private Xvfb, which picks a free display number itself (-displayfd).
 */
export const MINIBROWSER =
  process.env.MINIBROWSER_PATH || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER_PATH || '/usr/bin/WebKitWebDriver';
/** The viewport of an iPhone 13/14 in CSS pixels. */
const PHONE = { width: 390, height: 844 };

function startXvfb(log: string[]): Promise<{ xvfb: ChildProcess; display: string }> {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  tail(xvfb, log);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      void stopChild(xvfb);
      reject(new Error(`Xvfb gave no display number within 20 s:\n${log.join('\n')}`));
    }, 20_000);
    xvfb.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    xvfb.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited with ${code}:\n${log.join('\n')}`));
    });
    xvfb.stdio[3]?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        xvfb.removeAllListeners('exit');
        resolve({ xvfb, display: `:${out.trim()}` });
      }
    });
  });
}

export async function openWebKit(): Promise<GuestBrowser & { log: string[] }> {
  for (const file of [MINIBROWSER, WEBKIT_DRIVER]) {
    if (!fs.existsSync(file))
      throw new Error(`${file} is missing: apt-get install -y webkit2gtk-driver xvfb`);
  }
  const log: string[] = [];
  const { xvfb, display } = await startXvfb(log);
  let driverProcess: ChildProcess | undefined;
  let driver: WebDriver | undefined;
  const close = async () => {
    await driver?.quit().catch(() => undefined);
    await stopChild(driverProcess);
    await stopChild(xvfb);
  };
  try {
    const port = await freePort();
    driverProcess = spawn(WEBKIT_DRIVER, [`--port=${port}`, '--host=local'], {
      env: { ...process.env, DISPLAY: display },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    tail(driverProcess, log);
    const server = `http://127.0.0.1:${port}`;
    await waitFor(
      'WebKitWebDriver',
      async () => ((await fetch(`${server}/status`)).ok ? true : undefined),
      20_000,
    );
    driver = await new Builder()
      .usingServer(server)
      .withCapabilities(
        new Capabilities({
          browserName: 'MiniBrowser',
          'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
        }),
      )
      .build();
    const wd = driver;
    await wd.manage().setTimeouts({ script: 30_000, pageLoad: 60_000 });
    await wd
      .manage()
      .window()
      .setRect({ ...PHONE, x: 0, y: 0 });
    return {
      name: 'webkit',
      log,
      open: (url) => wd.get(url),
      async choosePhotos(files) {
        // WebDriver's way of choosing several files: their absolute paths, one per line.
        await wd.findElement(By.css('input[type=file][multiple]')).sendKeys(files.join('\n'));
      },
      evaluate: (expression) => wd.executeScript(`return ${expression};`),
      async screenshot(file) {
        fs.writeFileSync(file, Buffer.from(await wd.takeScreenshot(), 'base64'));
      },
      close,
    };
  } catch (err) {
    await close();
    throw new Error(`${(err as Error).message}\n${log.join('\n')}`);
  }
}
