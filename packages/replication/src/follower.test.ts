import net from 'node:net';
import { RequestParser } from '@aki/resp-codec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FollowerHandlers, FollowerLink, type FollowerSettings, type LinkState } from './follower.js';

/*
 * FollowerLink against a fake leader on a real local TCP server: the test
 * reads the follower's commands (with their exact bytes) and scripts the
 * leader's replies byte for byte. Payloads and stream commands go to
 * recording handlers.
 */

const R = 'c'.repeat(40);
const X = '04eec08623f9cb461376c01c1cb9d7415e058d7d';
const HEX40 = /^[0-9a-f]{40}$/;
const PING = '*1\r\n$4\r\nPING\r\n';
const PORT_7001 = '*3\r\n$8\r\nREPLCONF\r\n$14\r\nlistening-port\r\n$4\r\n7001\r\n';
const CAPA = '*5\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n$4\r\ncapa\r\n$6\r\npsync2\r\n';
const PSYNC_FRESH = '*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n';
const SET_K_V = '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n';
const GETACK = '*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what = 'condition', ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

interface Received {
  argv: string[];
  raw: string;
  at: number;
}

/** One connection of the follower, seen from the leader's side. */
class LeaderConn {
  readonly received: Received[] = [];
  closed = false;
  private raw = '';
  private fed = 0;
  private consumed = 0;
  private taken = 0;
  private readonly parser = new RequestParser();

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.raw += chunk.toString('latin1');
      this.parser.feed(chunk);
      this.fed += chunk.length;
      for (let argv = this.parser.next(); argv !== null; argv = this.parser.next()) {
        const end = this.fed - this.parser.bufferedBytes;
        this.received.push({ argv, raw: this.raw.slice(this.consumed, end), at: Date.now() });
        this.consumed = end;
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
    });
  }

  /** The next command the follower sent (waits for it). */
  async command(): Promise<Received> {
    await until(() => this.received.length > this.taken, `command #${this.taken + 1} from the follower`);
    return this.received[this.taken++]!;
  }

  /** The raw bytes of the next `n` commands, concatenated. */
  async raws(n: number): Promise<string> {
    let all = '';
    for (let i = 0; i < n; i++) all += (await this.command()).raw;
    return all;
  }

  /** Commands not taken yet (without waiting). */
  get unread(): number {
    return this.received.length - this.taken;
  }

  send(bytes: string | Buffer): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  async waitClosed(): Promise<void> {
    await until(() => this.closed, 'the follower to close the connection');
  }
}

class FakeLeader {
  readonly conns: LeaderConn[] = [];
  private handed = 0;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeLeader> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const leader = new FakeLeader(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (socket) => leader.conns.push(new LeaderConn(socket)));
    return leader;
  }

  /** The next connection the follower made (waits for it). */
  async next(): Promise<LeaderConn> {
    await until(() => this.conns.length > this.handed, `connection #${this.handed + 1}`);
    return this.conns[this.handed++]!;
  }

  async close(): Promise<void> {
    for (const conn of this.conns) conn.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Handlers that record what the link hands over; the server's part is played by plain fields. */
class Recorder {
  request: ReturnType<FollowerHandlers['psyncRequest']> = undefined;
  loadResult: () => Promise<boolean> = async () => true;
  aof = -1;
  processed = 0;
  readonly loads: Array<{ replid: string; offset: number; payload: string }> = [];
  readonly applies: Array<[string[], number]> = [];
  /** How many commands had been applied at each applied() call. */
  readonly appliedAt: number[] = [];
  readonly continued: Array<string | undefined> = [];
  readonly states: LinkState[] = [];
  streamBroken = 0;

  readonly handlers: FollowerHandlers = {
    psyncRequest: () => this.request,
    loadPayload: (replid, offset, payload) => {
      this.loads.push({ replid, offset, payload: Buffer.concat(payload).toString('latin1') });
      return this.loadResult().then((loaded) => {
        if (loaded) this.processed = offset;
        return loaded;
      });
    },
    continued: (replid) => {
      this.continued.push(replid);
    },
    apply: (argv, bytes) => {
      this.applies.push([argv, bytes]);
      this.processed += bytes;
    },
    applied: () => {
      this.appliedAt.push(this.applies.length);
    },
    processedOffset: () => this.processed,
    aofSyncedOffset: () => this.aof,
    streamBroken: () => {
      this.streamBroken++;
    },
    stateChanged: (state) => {
      this.states.push(state);
    },
  };
}

const SETTINGS: FollowerSettings = { masterauth: '', masteruser: '', listeningPort: 7001, announceIp: '', timeout: 60 };

let leader: FakeLeader;
const links: FollowerLink[] = [];

beforeEach(async () => {
  leader = await FakeLeader.start();
});

afterEach(async () => {
  for (const link of links.splice(0)) link.stop();
  await leader.close();
});

async function follow(
  options: { settings?: Partial<FollowerSettings>; clock?: () => number; recorder?: Recorder; retryDelayMs?: number } = {},
): Promise<{ link: FollowerLink; rec: Recorder }> {
  const rec = options.recorder ?? new Recorder();
  const settings = { ...SETTINGS, ...options.settings };
  const link = new FollowerLink({
    host: '127.0.0.1',
    port: leader.port,
    handlers: rec.handlers,
    settings: () => settings,
    retryDelayMs: options.retryDelayMs ?? 20,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  links.push(link);
  link.start();
  return { link, rec };
}

/** Plays PING/PONG and the replies to listening-port and capa; returns the PSYNC the follower sent. */
async function handshake(conn: LeaderConn): Promise<Received> {
  expect((await conn.command()).raw).toBe(PING);
  conn.send('+PONG\r\n');
  expect(await conn.raws(2)).toBe(PORT_7001 + CAPA);
  conn.send('+OK\r\n+OK\r\n');
  return conn.command();
}

/** A follower that completed a full sync at `offset` with an empty payload; the stream flows from here. */
async function synced(offset = 100, recorder?: Recorder) {
  const { link, rec } = await follow(recorder === undefined ? {} : { recorder });
  const conn = await leader.next();
  await handshake(conn);
  conn.send(`+FULLRESYNC ${R} ${offset}\r\n$0\r\n`);
  await until(() => link.state === 'connected', 'the link to come up');
  return { link, rec, conn };
}

describe('FollowerLink: handshake bytes', () => {
  it('PING, then (after its reply) REPLCONF listening-port and capa, then PSYNC ? -1 after both replies', async () => {
    const { link, rec } = await follow();
    const conn = await leader.next();
    expect((await conn.command()).raw).toBe(PING);
    expect(link.state).toBe('handshake');
    await sleep(30);
    expect(conn.unread).toBe(0);
    conn.send('+PONG\r\n');
    expect(await conn.raws(2)).toBe(PORT_7001 + CAPA);
    conn.send('+OK\r\n');
    await sleep(30);
    expect(conn.unread).toBe(0);
    conn.send('+OK\r\n');
    expect((await conn.command()).raw).toBe(PSYNC_FRESH);
    // Waiting for the PSYNC reply is still the handshake (ROLE); 'sync' is the transfer.
    expect(link.state).toBe('handshake');
    conn.send(`+FULLRESYNC ${R} 0\r\n`);
    await until(() => link.state === 'sync', 'the transfer state');
    expect(rec.states).toEqual(['connecting', 'handshake', 'sync']);
  });

  it('AUTH <masterauth>, REPLCONF ip-address, and PSYNC <replid> <offset> from the cached history', async () => {
    const rec = new Recorder();
    rec.request = { replid: X, offset: 1594 };
    await follow({ recorder: rec, settings: { masterauth: 'rpass', announceIp: '10.1.2.3', listeningPort: 7002 } });
    const conn = await leader.next();
    expect((await conn.command()).raw).toBe(PING);
    conn.send('+PONG\r\n');
    expect(await conn.raws(4)).toBe(
      '*2\r\n$4\r\nAUTH\r\n$5\r\nrpass\r\n' +
        '*3\r\n$8\r\nREPLCONF\r\n$14\r\nlistening-port\r\n$4\r\n7002\r\n' +
        '*3\r\n$8\r\nREPLCONF\r\n$10\r\nip-address\r\n$8\r\n10.1.2.3\r\n' +
        CAPA,
    );
    conn.send('+OK\r\n+OK\r\n+OK\r\n');
    await sleep(30);
    expect(conn.unread).toBe(0); // one reply still missing
    conn.send('+OK\r\n');
    expect((await conn.command()).raw).toBe(`*3\r\n$5\r\nPSYNC\r\n$40\r\n${X}\r\n$4\r\n1594\r\n`);
  });

  it('AUTH <masteruser> <masterauth>, and PSYNC ... FAILOVER for a handover', async () => {
    const rec = new Recorder();
    rec.request = { replid: X, offset: 51, failover: true };
    await follow({ recorder: rec, settings: { masterauth: 'rpass', masteruser: 'repl' } });
    const conn = await leader.next();
    await conn.command();
    conn.send('+PONG\r\n');
    expect((await conn.command()).raw).toBe('*3\r\n$4\r\nAUTH\r\n$4\r\nrepl\r\n$5\r\nrpass\r\n');
    await conn.raws(2);
    conn.send('+OK\r\n+OK\r\n+OK\r\n');
    expect((await conn.command()).raw).toBe(`*4\r\n$5\r\nPSYNC\r\n$40\r\n${X}\r\n$2\r\n51\r\n$8\r\nFAILOVER\r\n`);
  });

  for (const reply of ['-NOAUTH Authentication required.', '-NOPERM this user has no permissions', '-ERR operation not permitted']) {
    it(`accepts ${JSON.stringify(reply)} to PING (authenticate first)`, async () => {
      const { link } = await follow({ settings: { masterauth: 'secret' } });
      const conn = await leader.next();
      await conn.command();
      conn.send(`${reply}\r\n`);
      expect((await conn.command()).argv).toEqual(['AUTH', 'secret']);
      await conn.raws(2);
      conn.send('+OK\r\n+OK\r\n+OK\r\n');
      expect((await conn.command()).argv).toEqual(['PSYNC', '?', '-1']);
      expect(conn.closed).toBe(false);
      expect(link.state).toBe('handshake');
    });
  }

  it('another error to PING and an error to AUTH end the attempt; the link retries with a new connection', async () => {
    const { rec } = await follow({ settings: { masterauth: 'secret' } });
    const first = await leader.next();
    await first.command();
    first.send('-ERR something else\r\n');
    await first.waitClosed();
    expect(first.unread).toBe(0);
    const second = await leader.next();
    expect((await second.command()).raw).toBe(PING);
    second.send('+PONG\r\n');
    expect((await second.command()).argv).toEqual(['AUTH', 'secret']);
    await second.raws(2);
    second.send('-WRONGPASS invalid username-password pair or user is disabled.\r\n+OK\r\n+OK\r\n');
    await second.waitClosed();
    expect(second.unread).toBe(0);
    const third = await leader.next();
    expect((await third.command()).raw).toBe(PING);
    expect(rec.states.filter((s) => s === 'connect').length).toBe(2);
  });

  it('errors to the REPLCONFs are not critical: PSYNC follows', async () => {
    await follow({ settings: { announceIp: '10.0.0.1' } });
    const conn = await leader.next();
    await conn.command();
    conn.send('+PONG\r\n');
    await conn.raws(3);
    conn.send('-ERR Unrecognized REPLCONF option: listening-port\r\n-ERR nope\r\n-ERR Unrecognized REPLCONF option: capa\r\n');
    expect((await conn.command()).raw).toBe(PSYNC_FRESH);
    expect(conn.closed).toBe(false);
  });
});

describe('FollowerLink: full sync', () => {
  it('+FULLRESYNC, keepalive newlines, a $len payload in pieces: loaded whole; the stream after it is applied', async () => {
    const { link, rec } = await follow();
    const conn = await leader.next();
    await handshake(conn);
    const payload = 'REDIS0010\r\n\x00\xff$5\r\nnot-a-header';
    conn.send('\n');
    conn.send(`+FULLRESYNC ${R} 100\r\n\n`);
    await sleep(20);
    conn.send(`\n$${payload.length}\r\n${payload.slice(0, 7)}`);
    await until(() => link.transfer?.read === 7, 'the first payload bytes');
    expect(link.transfer).toEqual({ total: payload.length, read: 7 });
    expect(rec.loads).toEqual([]);
    conn.send(payload.slice(7) + SET_K_V);
    await until(() => rec.applies.length === 1, 'the stream command');
    expect(rec.loads).toEqual([{ replid: R, offset: 100, payload }]);
    expect(rec.applies).toEqual([[['SET', 'k', 'v'], SET_K_V.length]]);
    expect(rec.processed).toBe(100 + SET_K_V.length);
    expect(link.state).toBe('connected');
    expect(link.transfer).toBeUndefined();
    // No ACK for the load itself (only an EOF-marked one gets that), but what
    // the read applied is acknowledged at once: aki's followers do not wait for
    // GETACK or the 1 s timer, so a WAIT on the leader rarely needs the round trip.
    expect((await conn.command()).argv).toEqual(['REPLCONF', 'ACK', String(100 + SET_K_V.length)]);
    await sleep(100);
    expect(conn.unread).toBe(0);
  });

  it('$EOF:<mark> payload: the mark is stripped (also when split), and an ACK follows the load at once', async () => {
    const { rec } = await follow();
    const conn = await leader.next();
    await handshake(conn);
    const mark = '0ca7268c6ea1546e1674e4a97e8b9d1359a8470c';
    const payload = 'REDIS0010 some rdb bytes 0ca7268c';
    conn.send(`+FULLRESYNC ${R} 0\r\n$EOF:${mark}\r\n${payload}${mark.slice(0, 13)}`);
    await sleep(30);
    expect(rec.loads).toEqual([]);
    conn.send(mark.slice(13));
    const ack = await conn.command();
    expect(ack.raw).toBe('*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$1\r\n0\r\n');
    expect(rec.loads).toEqual([{ replid: R, offset: 0, payload }]);
  });

  it('loadPayload resolving false (or rejecting) drops the link and retries with a new PSYNC', async () => {
    const rec = new Recorder();
    let refusals = 0;
    rec.loadResult = async () => {
      refusals++;
      if (refusals === 1) return false;
      throw new Error('bad RDB');
    };
    const { link } = await follow({ recorder: rec });
    for (let attempt = 0; attempt < 2; attempt++) {
      const conn = await leader.next();
      expect((await handshake(conn)).raw).toBe(PSYNC_FRESH);
      conn.send(`+FULLRESYNC ${R} 5\r\n$3\r\nabc${SET_K_V}`);
      await conn.waitClosed();
      expect(link.state).not.toBe('connected');
    }
    expect(rec.loads.length).toBe(2);
    expect(rec.applies).toEqual([]);
    const third = await leader.next();
    expect((await third.command()).raw).toBe(PING);
  });

  it('a leader without PSYNC (-ERR) gets SYNC; its bare $len payload is loaded at offset 0 under a fresh id', async () => {
    const { link, rec } = await follow();
    const conn = await leader.next();
    await handshake(conn);
    conn.send("-ERR unknown command 'PSYNC'\r\n");
    expect((await conn.command()).raw).toBe('*1\r\n$4\r\nSYNC\r\n');
    conn.send(`\n$3\r\nabc${SET_K_V}`);
    await until(() => rec.applies.length === 1, 'the stream after SYNC');
    expect(rec.loads.length).toBe(1);
    expect(rec.loads[0]!.replid).toMatch(HEX40);
    expect([rec.loads[0]!.offset, rec.loads[0]!.payload]).toEqual([0, 'abc']);
    expect(link.state).toBe('connected');
  });

  it('a malformed +FULLRESYNC (id not 40 chars) ends the attempt', async () => {
    await follow();
    const conn = await leader.next();
    await handshake(conn);
    conn.send('+FULLRESYNC abc 0\r\n');
    await conn.waitClosed();
    expect((await (await leader.next()).command()).raw).toBe(PING);
  });
});

describe('FollowerLink: partial resync and refusals', () => {
  it('+CONTINUE: continued(undefined), and the backlog bytes in the same read are applied', async () => {
    const rec = new Recorder();
    rec.request = { replid: R, offset: 11 };
    rec.processed = 10;
    const { link } = await follow({ recorder: rec });
    const conn = await leader.next();
    expect((await handshake(conn)).argv).toEqual(['PSYNC', R, '11']);
    conn.send(`+CONTINUE\r\n${SET_K_V}`);
    await until(() => rec.applies.length === 1, 'the backlog command');
    expect(rec.continued).toEqual([undefined]);
    expect(rec.loads).toEqual([]);
    expect(link.state).toBe('connected');
    expect(rec.processed).toBe(10 + SET_K_V.length);
  });

  it('+CONTINUE <id>: continued(id)', async () => {
    const rec = new Recorder();
    rec.request = { replid: R, offset: 1 };
    const { link } = await follow({ recorder: rec });
    const conn = await leader.next();
    await handshake(conn);
    conn.send(`+CONTINUE ${X}\r\n`);
    await until(() => link.state === 'connected', 'the link to come up');
    expect(rec.continued).toEqual([X]);
  });

  for (const reply of [
    "-NOMASTERLINK Can't SYNC while not connected with my master",
    '-LOADING Redis is loading the dataset in memory',
  ]) {
    it(`${reply.split(' ')[0]} to PSYNC: no SYNC, the link retries later`, async () => {
      await follow();
      const first = await leader.next();
      await handshake(first);
      first.send(`${reply}\r\n`);
      await first.waitClosed();
      expect(first.unread).toBe(0);
      const second = await leader.next();
      expect((await handshake(second)).raw).toBe(PSYNC_FRESH);
    });
  }
});

describe('FollowerLink: the stream', () => {
  it('apply() gets each command with its exact length; applied() once per read with complete commands', async () => {
    const { rec, conn } = await synced(100);
    expect(rec.appliedAt).toEqual([]);
    const binary = '*3\r\n$3\r\nSET\r\n$4\r\nb\x00\r\n\r\n$2\r\n\xff\n\r\n';
    const incr = '*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n';
    conn.send(binary + incr);
    await until(() => rec.applies.length === 2, 'two commands');
    expect(rec.applies).toEqual([
      [['SET', 'b\x00\r\n', '\xff\n'], binary.length],
      [['INCR', 'n'], incr.length],
    ]);
    expect(rec.appliedAt).toEqual([2]);
    // A command split over two reads: nothing applied (and no applied()) until it is whole.
    conn.send(SET_K_V.slice(0, 10));
    await sleep(30);
    expect(rec.applies.length).toBe(2);
    expect(rec.appliedAt).toEqual([2]);
    conn.send(SET_K_V.slice(10));
    await until(() => rec.applies.length === 3, 'the split command');
    expect(rec.appliedAt).toEqual([2, 3]);
    expect(rec.processed).toBe(100 + binary.length + incr.length + SET_K_V.length);
  });

  it('REPLCONF GETACK * is answered with the offset before it, then applied itself', async () => {
    const { rec, conn } = await synced(100);
    conn.send(SET_K_V + GETACK);
    const ack = await conn.command();
    const before = 100 + SET_K_V.length;
    expect(ack.raw).toBe(`*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$3\r\n${before}\r\n`);
    await until(() => rec.applies.length === 2, 'GETACK applied');
    expect(rec.applies[1]).toEqual([['REPLCONF', 'GETACK', '*'], GETACK.length]);
    expect(rec.processed).toBe(before + GETACK.length);
  });

  it('ACKs the processed offset once a second, with FACK once the AOF fsynced offset is known', async () => {
    const { rec, conn } = await synced(100);
    conn.send(SET_K_V);
    await until(() => rec.applies.length === 1, 'the command');
    const first = await conn.command();
    expect(first.raw).toBe('*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$3\r\n127\r\n');
    rec.aof = 90;
    const second = await conn.command();
    expect(second.raw).toBe('*5\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$3\r\n127\r\n$4\r\nFACK\r\n$2\r\n90\r\n');
    expect(second.at - first.at).toBeGreaterThanOrEqual(800);
    expect(second.at - first.at).toBeLessThan(2500);
  }, 10_000);

  it('an inline command in the stream is a protocol error: streamBroken, reconnect', async () => {
    const { rec, conn } = await synced(0);
    conn.send(`${SET_K_V}GARBAGE here\r\n`);
    await conn.waitClosed();
    expect(rec.applies.length).toBe(1);
    expect(rec.streamBroken).toBe(1);
    expect((await (await leader.next()).command()).raw).toBe(PING);
  });

  it('garbage right behind the payload (same read) also reconnects, without an unhandled error', async () => {
    const { rec } = await follow();
    const conn = await leader.next();
    await handshake(conn);
    conn.send(`+FULLRESYNC ${R} 0\r\n$2\r\nok${SET_K_V}oops\r\n`);
    await conn.waitClosed();
    expect(rec.loads.length).toBe(1);
    expect(rec.streamBroken).toBe(1);
    expect((await (await leader.next()).command()).raw).toBe(PING);
  });
});

describe('FollowerLink: timeouts and stop', () => {
  it('repl-timeout: silence longer than the timeout drops the link (handshake and connected); loading rests', async () => {
    let now = 1_000_000;
    const rec = new Recorder();
    let finishLoad!: (loaded: boolean) => void;
    rec.loadResult = () =>
      new Promise<boolean>((resolve) => {
        finishLoad = resolve;
      });
    const { link } = await follow({ recorder: rec, clock: () => now, settings: { timeout: 5 } });
    const first = await leader.next();
    await handshake(first);
    now += 5000;
    link.tick();
    await sleep(30);
    expect(first.closed).toBe(false);
    now += 1;
    link.tick();
    await first.waitClosed();

    const second = await leader.next();
    await handshake(second);
    second.send(`+FULLRESYNC ${R} 0\r\n$1\r\nx`);
    await until(() => rec.loads.length === 1, 'the load to begin');
    now += 60_000;
    link.tick(); // loading: no timeout
    await sleep(30);
    expect(second.closed).toBe(false);
    finishLoad(true);
    await until(() => link.state === 'connected', 'the link to come up');
    // The load took 60 s of the clock: the silence counts from its end (Redis's new master client).
    link.tick();
    await sleep(30);
    expect(second.closed).toBe(false);
    now += 5000;
    link.tick();
    await sleep(30);
    expect(second.closed).toBe(false);
    now += 1;
    link.tick();
    await second.waitClosed();
    expect(link.state).not.toBe('connected');
    await leader.next();
  });

  it('stop() closes the connection and ends the retries', async () => {
    const { link } = await follow();
    const first = await leader.next();
    await first.command();
    first.send('-ERR no\r\n');
    await first.waitClosed();
    const second = await leader.next();
    await second.command();
    link.stop();
    await second.waitClosed();
    expect(link.state).toBe('connect');
    await sleep(150);
    expect(leader.conns.length).toBe(2);
  });

  it('stop() during the pause before a retry: no new connection', async () => {
    const { link } = await follow({ retryDelayMs: 300 });
    const first = await leader.next();
    await first.command();
    first.send('-ERR no\r\n');
    await first.waitClosed();
    link.stop();
    await sleep(500);
    expect(leader.conns.length).toBe(1);
  });

  it('without stop(), the same pause ends in a new attempt', async () => {
    await follow({ retryDelayMs: 300 });
    const first = await leader.next();
    await first.command();
    first.send('-ERR no\r\n');
    await first.waitClosed();
    await sleep(150);
    expect(leader.conns.length).toBe(1);
    expect((await (await leader.next()).command()).raw).toBe(PING);
  });
});
