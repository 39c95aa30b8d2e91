import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort, sleep } from '../../bench/lib/util';

/**
 * A throwaway OpenStack Swift, all-in-one on loopback, with its S3 API (the s3api middleware, which
 * checks SigV4 signatures and presigned URLs for real). Everything lives in one temporary
 * directory: configs and rings in DIR/etc, the one device in DIR/node/d1, logs in DIR/log.
 * Debian's swift-proxy, swift-account, swift-container and swift-object packages (.ci/run installs
 * them). Facts measured on these machines: /work/shared/STACK.md.
 */

export interface RunningSwift {
  /** The proxy's S3 endpoint, http://127.0.0.1:PORT. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  dir: string;
  pids: Record<SwiftServer, number>;
  /** Stops the object server: from then on writes (and reads) fail with 5xx, as a full or broken store. */
  refuseWrites(): Promise<void>;
  /** Starts the object server again and waits until a write goes through. */
  acceptWrites(): Promise<void>;
  stop(): Promise<void>;
}

const SERVERS = ['account', 'container', 'object', 'proxy'] as const;
type SwiftServer = (typeof SERVERS)[number];
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function serverConf(dir: string, name: Exclude<SwiftServer, 'proxy'>, port: number): string {
  return `[DEFAULT]
devices = ${dir}/node
mount_check = false
disable_fallocate = true
bind_ip = 127.0.0.1
bind_port = ${port}
workers = 1
user = root
swift_dir = ${dir}/etc
log_name = ${name}
log_facility = LOG_LOCAL0

[pipeline:main]
pipeline = ${name}-server

[app:${name}-server]
use = egg:swift#${name}
`;
}

const EGG: Record<string, string> = { cache: 'memcache', 'proxy-logging': 'proxy_logging' };

function proxyConf(dir: string, port: number): string {
  const filters = [
    'catch_errors',
    'gatekeeper',
    'healthcheck',
    'proxy-logging',
    'cache',
    'listing_formats',
    'tempauth',
    'copy',
    'slo',
    'dlo',
  ];
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${port}
workers = 1
user = root
swift_dir = ${dir}/etc
log_name = proxy

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
node_timeout = 5
conn_timeout = 1
# A test stops the object server (refuseWrites) and starts it again: without this, the proxy
# skips the node for a minute after ten failed requests, and writes stay refused after acceptWrites.
error_suppression_limit = 100000

[filter:s3api]
use = egg:swift#s3api
location = us-east-1

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
reseller_prefix = AUTH

${filters
  .filter((f) => f !== 'tempauth')
  .map((f) => `[filter:${f}]\nuse = egg:swift#${EGG[f] ?? f}\n`)
  .join('\n')}`;
}

/** All three rings in one Python call (nine swift-ring-builder commands take 12 s here). */
function buildRings(etc: string, ports: Record<Exclude<SwiftServer, 'proxy'>, number>): void {
  const script = `
import sys
from swift.common.ring import RingBuilder
etc = sys.argv[1]
for name, port in (('account', int(sys.argv[2])), ('container', int(sys.argv[3])), ('object', int(sys.argv[4]))):
    b = RingBuilder(8, 1, 1)
    b.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': port, 'device': 'd1', 'weight': 100})
    b.rebalance()
    b.get_ring().save('%s/%s.ring.gz' % (etc, name))
`;
  execFileSync(
    PYTHON,
    ['-c', script, etc, String(ports.account), String(ports.container), String(ports.object)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 60_000,
    },
  );
}

async function waitHealthy(
  url: string,
  procs: ChildProcess[],
  dir: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = procs.find((p) => p.exitCode !== null || p.signalCode !== null);
    if (dead)
      throw new Error(`a Swift server exited at start (${dead.spawnargs.join(' ')}); logs in ${dir}/log`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`Swift did not answer ${url} within ${timeoutMs / 1000} s; logs in ${dir}/log`);
}

/** Waits until `url` gives any HTTP answer (the server listens). */
async function waitAnswering(
  url: string,
  procs: ChildProcess[],
  dir: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = procs.find((p) => p.exitCode !== null || p.signalCode !== null);
    if (dead)
      throw new Error(`a Swift server exited at start (${dead.spawnargs.join(' ')}); logs in ${dir}/log`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await sleep(200);
    }
  }
  throw new Error(`Swift did not answer ${url} within ${timeoutMs / 1000} s; logs in ${dir}/log`);
}

export async function startSwift(): Promise<RunningSwift> {
  for (const s of SERVERS) {
    try {
      execFileSync('sh', ['-c', `command -v swift-${s}-server`], { stdio: 'ignore' });
    } catch {
      throw new Error(
        `swift-${s}-server is not installed: apt-get install -y --no-install-recommends swift-proxy swift-account swift-container swift-object (.ci/run does)`,
      );
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-swift-'));
  const etc = path.join(dir, 'etc');
  fs.mkdirSync(etc);
  fs.mkdirSync(path.join(dir, 'node', 'd1'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'log'));
  const ports = {
    account: await freePort(),
    container: await freePort(),
    object: await freePort(),
    proxy: await freePort(),
  };
  fs.writeFileSync(
    path.join(etc, 'swift.conf'),
    `[swift-hash]\nswift_hash_path_prefix = pbtest\nswift_hash_path_suffix = ${path.basename(dir)}\n\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n`,
  );
  for (const name of ['account', 'container', 'object'] as const) {
    fs.writeFileSync(path.join(etc, `${name}-server.conf`), serverConf(dir, name, ports[name]));
  }
  fs.writeFileSync(path.join(etc, 'proxy-server.conf'), proxyConf(dir, ports.proxy));
  try {
    buildRings(etc, ports);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`building the Swift rings failed: ${(err as { stderr?: Buffer }).stderr ?? err}`);
  }

  const procs = new Map<SwiftServer, ChildProcess>();
  const spawnServer = (name: SwiftServer): ChildProcess => {
    const log = fs.openSync(path.join(dir, 'log', `${name}.log`), 'a');
    const proc = spawn(`swift-${name}-server`, [path.join(etc, `${name}-server.conf`)], {
      stdio: ['ignore', log, log],
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    fs.closeSync(log);
    proc.on('error', () => {});
    procs.set(name, proc);
    return proc;
  };
  const kill = async (proc: ChildProcess | undefined): Promise<void> => {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const stop = async (): Promise<void> => {
    await Promise.all([...procs.values()].map(kill));
    fs.rmSync(dir, { recursive: true, force: true });
  };

  for (const name of SERVERS) spawnServer(name);
  const endpoint = `http://127.0.0.1:${ports.proxy}`;
  try {
    await waitHealthy(`${endpoint}/healthcheck`, [...procs.values()], dir);
    // The proxy answers before the servers behind it listen (a CreateBucket then gets 503).
    for (const name of ['account', 'container', 'object'] as const) {
      await waitAnswering(`http://127.0.0.1:${ports[name]}/healthcheck`, [...procs.values()], dir);
    }
  } catch (err) {
    const logs = SERVERS.map((s) => {
      try {
        return `--- ${s}\n${fs.readFileSync(path.join(dir, 'log', `${s}.log`), 'utf8').slice(-2000)}`;
      } catch {
        return '';
      }
    }).join('\n');
    await stop();
    throw new Error(`${(err as Error).message}\n${logs}`);
  }

  const pids = () =>
    Object.fromEntries(SERVERS.map((s) => [s, procs.get(s)?.pid ?? 0])) as Record<SwiftServer, number>;
  const running: RunningSwift = {
    endpoint,
    accessKeyId: 'test:tester',
    secretAccessKey: 'testing',
    region: 'us-east-1',
    dir,
    get pids() {
      return pids();
    },
    async refuseWrites() {
      await kill(procs.get('object'));
    },
    async acceptWrites() {
      const proc = procs.get('object');
      if (proc && proc.exitCode === null && proc.signalCode === null) return;
      const started = spawnServer('object');
      // The object server has no health check of its own: wait until its port answers.
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        if (started.exitCode !== null) throw new Error(`the Swift object server exited; logs in ${dir}/log`);
        try {
          await fetch(`http://127.0.0.1:${ports.object}/healthcheck`, { signal: AbortSignal.timeout(2000) });
          return;
        } catch {
          await sleep(200);
        }
      }
      throw new Error('the Swift object server did not come back within 30 s');
    },
    stop,
  };
  return running;
}

/** Where a Swift's S3 API answers and who may sign: a started one, or the hosted run's shared one. */
export type SwiftAccess = Pick<RunningSwift, 'endpoint' | 'region' | 'accessKeyId' | 'secretAccessKey'>;

/** An S3 client of the test itself (to make buckets and look inside them); destroy() it after. */
export function swiftClient(swift: SwiftAccess): S3Client {
  return new S3Client({
    region: swift.region,
    endpoint: swift.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: swift.accessKeyId, secretAccessKey: swift.secretAccessKey },
  });
}

/**
 * Makes a bucket; a Swift just started may answer 503 for a few seconds more while its rings
 * settle, so this retries (20 × 500 ms).
 */
export async function createBucket(client: S3Client, bucket: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      return;
    } catch (err) {
      if (attempt >= 20) throw err;
      await sleep(500);
    }
  }
}
