// Serving while a large data set loads: the listener is up, commands get
// -LOADING, INFO reports loading:1 with the loading_* fields, and ioredis
// (whose ready check reads INFO) waits for the load and then works.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RawConnection, launchServer, sleep, startAki, waitFor, type LaunchedServer } from '@aki/test-utils';
import { DEBUG_ARGS, info, parseInfo, persistenceFixture } from './support/persistence-data.js';
import { manifestText, rdbFile, writeAofDir } from './support/persistence-files.js';

const LOADING = '-LOADING Redis is loading the dataset in memory\r\n';
const { tmpDir, running, conns, clients } = persistenceFixture('aki-loading-');

/** Connects as soon as the listener accepts (retrying while the process starts). */
async function connectEarly(s: LaunchedServer, timeoutMs = 10_000): Promise<RawConnection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const c = await RawConnection.open(s.port, '127.0.0.1', 1000);
      conns.push(c);
      return c;
    } catch (e) {
      if (s.hasExited()) throw new Error(`server exited while starting. Logs:\n${s.logs()}`);
      if (Date.now() > deadline) throw e;
      await sleep(5);
    }
  }
}

/** Probes a server that is loading: -LOADING for data commands, INFO with loading:1. */
async function expectLoading(c: RawConnection, s: LaunchedServer): Promise<void> {
  const ping = (await c.call('PING')).toString('latin1');
  expect(ping, `PING during start-up (ready already: ${s.isReady()})`).toBe(LOADING);
  // INFO is served while loading, and says so.
  const i = parseInfo(String(await c.command('INFO', 'persistence')));
  expect(i.get('loading')).toBe('1');
  for (const f of ['loading_start_time', 'loading_total_bytes', 'loading_loaded_bytes', 'loading_loaded_perc', 'loading_eta_seconds']) {
    expect(i.has(f), `INFO persistence has ${f} while loading`).toBe(true);
  }
  expect(Number(i.get('loading_total_bytes'))).toBeGreaterThan(1_000_000);
  expect((await c.call('GET', 'key:1')).toString('latin1')).toBe(LOADING);
  expect((await c.call('SET', 'x', 'y')).toString('latin1')).toBe(LOADING);
}

describe('loading a large data set', () => {
  it('from dump.rdb (1M keys): -LOADING, loading:1, then everything is there', { timeout: 90_000 }, async () => {
    const N = 1_000_000;
    const dir = tmpDir();
    const args = [...DEBUG_ARGS, '--appendonly', 'no', '--save', ''];
    const first = await startAki({ dir, args });
    running.push(first);
    const fc = await RawConnection.open(first.port);
    conns.push(fc);
    expect(await fc.command('DEBUG', 'POPULATE', N, 'key', 20)).toBe('OK');
    expect(await fc.command('SAVE')).toBe('OK');
    fc.close();
    expect(await first.stop('SIGTERM')).toBe(0);

    const s = await launchServer({ dir, args });
    running.push(s);
    const c = await connectEarly(s);
    await expectLoading(c, s);
    await s.ready;
    await waitFor(async () => (await c.call('PING')).toString('latin1') === '+PONG\r\n', 30_000, 20);
    expect(await c.command('DBSIZE')).toBe(N);
    const after = await info(c);
    expect(after.get('loading')).toBe('0');
    expect(after.get('rdb_last_load_keys_loaded')).toBe(String(N));
  });

  it('from an AOF (600k commands): ioredis connecting during the load waits, then works', { timeout: 90_000 }, async () => {
    const N = 600_000;
    const dir = tmpDir();
    // A hand-made directory: a tiny RDB base and a long RESP incr file.
    const chunks: Buffer[] = [Buffer.from('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n', 'latin1')];
    for (let i = 0; i < N; i += 20_000) {
      let s = '';
      for (let j = i; j < Math.min(N, i + 20_000); j++) {
        const k = `key:${j}`;
        const v = `value-${j}-padding-padding`;
        s += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`;
      }
      chunks.push(Buffer.from(s, 'latin1'));
    }
    const base = 'appendonly.aof.1.base.rdb';
    const incr = 'appendonly.aof.1.incr.aof';
    writeAofDir(dir, manifestText([{ file: base, seq: 1, type: 'b' }, { file: incr, seq: 1, type: 'i' }]), {
      [base]: rdbFile({ 0: [{ key: 'from-base', value: { type: 'string', value: 'yes' } }] }),
    });
    writeFileSync(path.join(dir, 'appendonlydir', incr), Buffer.concat(chunks));

    const args = [...DEBUG_ARGS, '--appendonly', 'yes', '--save', ''];
    const s = await launchServer({ dir, args });
    running.push(s);
    const c = await connectEarly(s);
    await expectLoading(c, s);

    // ioredis' ready check sees loading:1 and holds its commands back until the load is done.
    const r = new Redis({ port: s.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    clients.push(r);
    r.on('error', () => {});
    const connected = new Promise<void>((resolve) => r.once('connect', () => resolve()));
    const ready = r.connect();
    await connected;
    const loadingAtConnect = (await info(c)).get('loading');
    await ready;
    expect(loadingAtConnect, 'ioredis connected while the server was loading').toBe('1');
    // Had ioredis not waited, this GET would have failed with -LOADING.
    expect(await r.get(`key:${N - 1}`)).toBe(`value-${N - 1}-padding-padding`);
    expect(await r.get('from-base')).toBe('yes');
    expect(await r.dbsize()).toBe(N + 1);
    expect(await r.set('after-load', '1')).toBe('OK');
    expect((await info(c)).get('loading')).toBe('0');
  });
});
