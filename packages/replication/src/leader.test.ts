import { encodeCommand } from '@aki/resp-codec';
import { describe, expect, it } from 'vitest';
import { ReplicationHistory } from './history.js';
import {
  type FullSyncSource,
  type LeaderSettings,
  type ReplicaChannel,
  type ReplicaDeclaration,
  ReplicationLeader,
  type ReplicationStream,
  type StreamBatch,
} from './leader.js';
import { NO_REPLICATION_ID } from './replication-id.js';

/*
 * ReplicationLeader against fakes: a stream that the test appends batches
 * to, channels that collect what the leader writes (and whose queue the test
 * drains), a snapshot source whose payload the test resolves, and a clock the
 * test moves. Bytes are compared as latin1 strings.
 */

const T0 = 1_700_000_000_000;
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const HEX40 = /^[0-9a-f]{40}$/;
const GETACK_BYTES = '*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n';
const PING_BYTES = '*1\r\n$4\r\nping\r\n';

type Sink = { append(batch: StreamBatch): void };

/** The server's stream: offsets advance only while a sink is attached, as the real propagator's. */
class FakeStream implements ReplicationStream {
  offset = 0;
  untracked = false;
  readonly sinks: Sink[] = [];
  readonly calls: string[] = [];
  readonly withoutDb: string[][] = [];

  attach(sink: Sink): void {
    this.sinks.push(sink);
    this.calls.push('attach');
  }

  detach(sink: Sink): void {
    const at = this.sinks.indexOf(sink);
    if (at !== -1) this.sinks.splice(at, 1);
    this.calls.push('detach');
  }

  appendWithoutDb(argv: string[]): void {
    this.withoutDb.push(argv);
    if (this.sinks.length !== 0) this.emit(encodeCommand(argv));
  }

  resetSelectedDb(): void {
    this.calls.push('resetSelectedDb');
  }

  clearUntracked(): void {
    this.untracked = false;
  }

  /** A write batch of the server (any bytes: the leader never parses them). */
  write(text: string): void {
    if (this.sinks.length === 0) {
      this.untracked = true;
      return;
    }
    this.emit(Buffer.from(text, 'latin1'));
  }

  private emit(bytes: Buffer): void {
    this.offset += bytes.length;
    for (const sink of this.sinks) sink.append({ bytes, endOffset: this.offset });
  }
}

/** A follower's connection: what was written, and a send queue the test drains (`pendingBytes`). */
class FakeChannel implements ReplicaChannel {
  readonly chunks: Buffer[] = [];
  pendingBytes = 0;
  /** False: writes leave at once (the queue stays as the test set it). */
  queueWrites = true;
  closed = 0;
  private read = 0;

  constructor(readonly address = '10.0.0.7') {}

  write(bytes: Buffer | string): void {
    const copy = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
    this.chunks.push(copy);
    if (this.queueWrites) this.pendingBytes += copy.length;
  }

  close(): void {
    this.closed++;
  }

  /** Everything written so far. */
  text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }

  /** What was written since the last take(). */
  take(): string {
    const all = this.text();
    const fresh = all.slice(this.read);
    this.read = all.length;
    return fresh;
  }
}

/** The snapshot slot: `begin` hands out a promise the test settles, or undefined while busy. */
class FakeSource implements FullSyncSource {
  busy = false;
  attempts = 0;
  readonly jobs: Array<{ offset: number; resolve: (payload: Buffer[]) => void; reject: (error: Error) => void }> = [];

  constructor(private readonly stream: FakeStream) {}

  begin(): Promise<Buffer[]> | undefined {
    this.attempts++;
    if (this.busy) return undefined;
    let resolve!: (payload: Buffer[]) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<Buffer[]>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    this.jobs.push({ offset: this.stream.offset, resolve, reject });
    return promise;
  }

  /** Settles the newest job with `payload` and lets the leader's continuation run. */
  async finish(...payload: string[]): Promise<void> {
    this.jobs.at(-1)!.resolve(payload.map((p) => Buffer.from(p, 'latin1')));
    await settle();
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Lets the leader's deferred work run: a GETACK (microtask) and the stream flush it schedules (next turn). */
async function settle(): Promise<void> {
  await nextTurn();
  await nextTurn();
}

const DEFAULTS: LeaderSettings = {
  backlogSize: 1024,
  backlogTtl: 3600,
  pingPeriod: 10,
  timeout: 60,
  outputHardLimit: 0,
  outputSoftLimit: 0,
  outputSoftSeconds: 0,
};

function declaration(capabilities: string[] = ['eof', 'psync2'], listeningPort = 7001): ReplicaDeclaration {
  return { listeningPort, announcedIp: undefined, capabilities: new Set(capabilities) };
}

function setup(overrides: Partial<LeaderSettings> = {}, history = new ReplicationHistory(A, 0)) {
  let now = T0;
  const stream = new FakeStream();
  const source = new FakeSource(stream);
  const settings: LeaderSettings = { ...DEFAULTS, ...overrides };
  const leader = new ReplicationLeader({ history, stream, payloads: source, settings: () => settings, clock: () => now });
  return {
    leader,
    history,
    stream,
    source,
    settings,
    advance(ms: number) {
      now += ms;
    },
    get now() {
      return now;
    },
  };
}

type Setup = ReturnType<typeof setup>;

/** A follower that continues at once (+CONTINUE, online) on a backlog created now. */
function onlinePeer(t: Setup, channel = new FakeChannel()) {
  t.leader.ensureBacklog(true);
  const { peer, outcome } = t.leader.psync(channel, declaration(), t.history.replid, t.stream.offset + 1);
  expect(outcome).toBe('continue');
  expect(peer.state).toBe('online');
  channel.take();
  channel.pendingBytes = 0;
  return { peer, channel };
}

describe('ReplicationLeader: PSYNC decisions', () => {
  it('PSYNC ? -1 starts a full sync: backlog created, +FULLRESYNC <replid> <offset> once the snapshot begins', () => {
    const t = setup();
    const channel = new FakeChannel();
    const { peer, outcome } = t.leader.psync(channel, declaration(), '?', -1);
    expect(outcome).toBe('full');
    expect(peer.state).toBe('wait_bgsave');
    expect(t.leader.replicas.has(peer)).toBe(true);
    expect(t.stream.calls).toEqual(['attach', 'resetSelectedDb']);
    expect(t.leader.backlog).not.toBeNull();
    expect(t.source.attempts).toBe(1);
    expect(channel.take()).toBe(`+FULLRESYNC ${A} 0\r\n`);
    expect(t.leader.stats).toEqual({ syncFull: 1, syncPartialOk: 0, syncPartialErr: 0 });
  });

  it('+CONTINUE <replid> with psync2, then the backlog from the requested offset', async () => {
    const t = setup();
    t.leader.ensureBacklog(true);
    t.stream.write('abc');
    t.stream.write('defgh');
    const channel = new FakeChannel();
    const { peer, outcome } = t.leader.psync(channel, declaration(), A, 4);
    expect(outcome).toBe('continue');
    expect(peer.state).toBe('online');
    expect(channel.take()).toBe(`+CONTINUE ${A}\r\ndefgh`);
    expect(t.leader.stats).toEqual({ syncFull: 0, syncPartialOk: 1, syncPartialErr: 0 });
    expect(t.source.attempts).toBe(0);
    // From then on the stream reaches it, once per event-loop turn.
    t.stream.write('ij');
    t.stream.write('kl');
    expect(channel.take()).toBe('');
    await settle();
    expect(channel.chunks.at(-1)!.toString('latin1')).toBe('ijkl');
    expect(channel.take()).toBe('ijkl');
  });

  it('a follower continuing mid-turn gets the unsent stream once (from the backlog); the others get it too', async () => {
    const t = setup();
    const { channel: first } = onlinePeer(t);
    t.stream.write('abc'); // queued for `first`, not sent yet
    const second = new FakeChannel();
    t.leader.psync(second, declaration(), A, 1);
    expect(first.take()).toBe('abc');
    t.stream.write('d');
    await settle();
    expect(first.take()).toBe('d');
    expect(second.text()).toBe(`+CONTINUE ${A}\r\nabcd`);
  });

  it('+CONTINUE without the id when the follower did not declare psync2; nothing missing sends no bytes', () => {
    const t = setup();
    t.leader.ensureBacklog(true);
    t.stream.write('abc');
    const old = new FakeChannel();
    t.leader.psync(old, declaration(['eof']), A, 1);
    expect(old.text()).toBe('+CONTINUE\r\nabc');
    const none = new FakeChannel();
    t.leader.psync(none, declaration([]), A, 4);
    expect(none.text()).toBe('+CONTINUE\r\n');
  });

  it('offsets outside the backlog, unknown ids and a missing backlog mean a full sync', () => {
    const t = setup();
    // No backlog yet: even our own id cannot continue.
    const first = new FakeChannel();
    expect(t.leader.psync(first, declaration(), A, 1).outcome).toBe('full');
    t.stream.write('abcdef');
    for (const [replid, offset] of [
      [A, 8], // past the end (endOffset + 1 = 7 is the limit)
      [A, 0], // before the first byte
      [B, 1], // unknown history
    ] as const) {
      const channel = new FakeChannel();
      expect(t.leader.psync(channel, declaration(), replid, offset).outcome).toBe('full');
      expect(channel.text()).toBe(`+FULLRESYNC ${A} 0\r\n`);
    }
    expect(t.leader.stats).toEqual({ syncFull: 4, syncPartialOk: 0, syncPartialErr: 4 });
    expect(t.leader.psync(new FakeChannel(), declaration(), A, 7).outcome).toBe('continue');
    expect(t.leader.psync(new FakeChannel(), declaration(), A, 1).outcome).toBe('continue');
  });

  it('a backlog that wrapped continues only from its oldest byte on', () => {
    const t = setup({ backlogSize: 4 });
    t.leader.ensureBacklog(true);
    t.stream.write('abcdefghij'); // offsets 1..10, the backlog keeps 7..10
    expect(t.leader.psync(new FakeChannel(), declaration(), A, 6).outcome).toBe('full');
    const channel = new FakeChannel();
    expect(t.leader.psync(channel, declaration(), A, 7).outcome).toBe('continue');
    expect(channel.text()).toBe(`+CONTINUE ${A}\r\nghij`);
  });

  it('the previous history (replid2) continues up to second_repl_offset only', () => {
    const history = new ReplicationHistory(B, 5);
    history.shiftHistory(); // replid2 = B valid up to 6 (exclusive)
    const t = setup({}, history);
    t.stream.offset = 5;
    t.leader.ensureBacklog(true);
    t.stream.write('xyz'); // offsets 6..8
    const channel = new FakeChannel();
    expect(t.leader.psync(channel, declaration(), B, 6).outcome).toBe('continue');
    expect(channel.text()).toBe(`+CONTINUE ${history.replid}\r\nxyz`);
    expect(t.leader.psync(new FakeChannel(), declaration(), B, 7).outcome).toBe('full');
    expect(t.leader.psync(new FakeChannel(), declaration(), history.replid, 7).outcome).toBe('continue');
  });

  it('legacy SYNC: no reply line, then $len, the payload and the stream', async () => {
    const t = setup();
    const channel = new FakeChannel();
    const { peer, outcome } = t.leader.psync(channel, declaration([]), '?', -1, true);
    expect(outcome).toBe('full');
    expect(peer.legacySync).toBe(true);
    expect(channel.text()).toBe('');
    t.stream.write('SET');
    await t.source.finish('RDB');
    expect(channel.text()).toBe('$3\r\nRDBSET');
    // SYNC never counts as a refused partial sync.
    expect(t.leader.stats).toEqual({ syncFull: 1, syncPartialOk: 0, syncPartialErr: 0 });
  });
});

describe('ReplicationLeader: full sync jobs', () => {
  it('stream batches during the snapshot reach the follower after the $len payload, in order', async () => {
    const t = setup();
    t.leader.ensureBacklog(true);
    t.stream.write('before'); // offsets 1..6: part of the snapshot
    const channel = new FakeChannel();
    const { peer } = t.leader.psync(channel, declaration(), '?', -1);
    expect(channel.take()).toBe(`+FULLRESYNC ${A} 6\r\n`);
    expect(t.source.jobs[0]!.offset).toBe(6);
    t.stream.write('one');
    t.stream.write('two');
    t.stream.write('three');
    // Nothing of the stream while the payload is being made.
    expect(channel.take()).toBe('');
    await t.source.finish('RDB', 'DATA');
    expect(channel.take()).toBe('$7\r\nRDBDATAonetwothree');
    expect(peer.state).toBe('send_bulk');
    t.stream.write('four');
    await settle();
    expect(channel.take()).toBe('four');
  });

  it('a second follower joins a started snapshot: same FULLRESYNC offset, same payload, same tail', async () => {
    const t = setup();
    const first = new FakeChannel();
    t.leader.psync(first, declaration(), '?', -1);
    t.stream.write('w1'); // after the job's offset
    const second = new FakeChannel();
    const late = t.leader.psync(second, declaration(), '?', -1);
    expect(late.outcome).toBe('full');
    expect(t.source.attempts).toBe(1);
    t.stream.write('w2');
    const legacy = new FakeChannel();
    t.leader.psync(legacy, declaration([]), '?', -1, true);
    t.stream.write('w3');
    expect(first.text()).toBe(`+FULLRESYNC ${A} 0\r\n`);
    expect(second.text()).toBe(`+FULLRESYNC ${A} 0\r\n`);
    expect(legacy.text()).toBe('');
    await t.source.finish('PAYLOAD');
    expect(first.text()).toBe(`+FULLRESYNC ${A} 0\r\n$7\r\nPAYLOADw1w2w3`);
    expect(second.text()).toBe(first.text());
    expect(legacy.text()).toBe('$7\r\nPAYLOADw1w2w3');
    expect(t.source.attempts).toBe(1);
  });

  it('a payload ready mid-turn: the tail carries the unsent stream once; online followers get it in order', async () => {
    const t = setup();
    const { channel: online } = onlinePeer(t);
    const channel = new FakeChannel();
    t.leader.psync(channel, declaration(), '?', -1);
    t.stream.write('w1');
    await settle();
    t.stream.write('w2'); // not flushed yet when the payload arrives
    t.source.jobs[0]!.resolve([Buffer.from('P')]);
    await Promise.resolve();
    await Promise.resolve();
    t.stream.write('w3');
    await settle();
    expect(channel.text()).toBe(`+FULLRESYNC ${A} 0\r\n$1\r\nPw1w2w3`);
    expect(online.take()).toBe('w1w2w3');
  });

  it('a follower gone before the payload is ready gets nothing; the others still do', async () => {
    const t = setup();
    const gone = new FakeChannel();
    const stays = new FakeChannel();
    const { peer } = t.leader.psync(gone, declaration(), '?', -1);
    t.leader.psync(stays, declaration(), '?', -1);
    t.leader.detach(peer);
    gone.take();
    await t.source.finish('P');
    expect(gone.take()).toBe('');
    expect(stays.text()).toBe(`+FULLRESYNC ${A} 0\r\n$1\r\nP`);
  });

  it('a busy snapshot slot: the job waits (newlines keep the follower alive) and tick() starts it later', async () => {
    const t = setup();
    t.source.busy = true;
    const channel = new FakeChannel();
    const { peer } = t.leader.psync(channel, declaration(), '?', -1);
    expect(t.source.attempts).toBe(1);
    expect(channel.take()).toBe('');
    t.stream.write('inside'); // still before the snapshot: belongs to it, not to the tail
    t.leader.tick();
    expect(t.source.attempts).toBe(2);
    expect(channel.take()).toBe('\n');
    t.source.busy = false;
    t.advance(1000);
    t.leader.tick();
    expect(t.source.attempts).toBe(3);
    expect(t.source.jobs[0]!.offset).toBe(6);
    expect(channel.take()).toBe(`+FULLRESYNC ${A} 6\r\n\n`);
    t.stream.write('after');
    await t.source.finish('R');
    expect(channel.take()).toBe('$1\r\nRafter');
    expect(peer.state).toBe('send_bulk');
    // The job is done: ticks no longer ask for snapshots.
    t.leader.tick();
    expect(t.source.attempts).toBe(3);
  });

  it('a failed snapshot closes and forgets its followers', async () => {
    const t = setup();
    const channel = new FakeChannel();
    t.leader.psync(channel, declaration(), '?', -1);
    t.source.jobs[0]!.reject(new Error('disk full'));
    await settle();
    expect(channel.closed).toBe(1);
    expect(t.leader.replicas.size).toBe(0);
    // A new follower gets a new job.
    t.leader.psync(new FakeChannel(), declaration(), '?', -1);
    expect(t.source.attempts).toBe(2);
  });

  it('a follower whose history changed since the job started gets a job of its own', async () => {
    const t = setup();
    const first = new FakeChannel();
    t.leader.psync(first, declaration(), '?', -1);
    t.history.resetHistory();
    const second = new FakeChannel();
    t.leader.psync(second, declaration(), '?', -1);
    expect(t.source.attempts).toBe(2);
    expect(second.text()).toBe(`+FULLRESYNC ${t.history.replid} 0\r\n`);
    expect(first.text()).toBe(`+FULLRESYNC ${A} 0\r\n`);
  });
});

describe('ReplicationLeader: send_bulk until the payload drained', () => {
  it('goes online once the socket queue holds only stream bytes; the output limit applies only from then', async () => {
    const t = setup({ outputHardLimit: 500 });
    const channel = new FakeChannel();
    const { peer } = t.leader.psync(channel, declaration(), '?', -1);
    await t.source.finish('x'.repeat(1000));
    expect(peer.state).toBe('send_bulk');
    t.stream.write('s'.repeat(300));
    await settle();
    // Far over the hard limit, but behind a payload: not dropped.
    expect(channel.pendingBytes).toBeGreaterThan(1300);
    expect(channel.closed).toBe(0);
    channel.pendingBytes = 301; // one payload byte still queued
    t.leader.tick();
    expect(peer.state).toBe('send_bulk');
    t.advance(2000);
    channel.pendingBytes = 300; // only the stream is left
    t.leader.tick();
    expect(peer.state).toBe('online');
    expect(peer.lastAckAt).toBe(t.now);
    expect(channel.closed).toBe(0);
    t.stream.write('s'.repeat(250)); // 550 queued > 500
    await settle();
    expect(channel.closed).toBe(1);
    expect(t.leader.replicas.size).toBe(0);
  });

  it('behind a payload (or a snapshot being made) the stream may pile up to 4 times the hard limit, not more', async () => {
    const t = setup({ outputHardLimit: 100 });
    const sending = new FakeChannel();
    t.leader.psync(sending, declaration(), '?', -1);
    await t.source.finish('x'.repeat(50));
    t.stream.write('s'.repeat(400));
    await settle();
    expect(sending.closed).toBe(0);
    t.stream.write('s');
    await settle();
    expect(sending.closed).toBe(1);

    const waiting = new FakeChannel();
    const { peer } = t.leader.psync(waiting, declaration(), '?', -1);
    t.stream.write('s'.repeat(401)); // the job's tail
    expect(waiting.closed).toBe(1);
    expect(t.leader.replicas.has(peer)).toBe(false);
    // The abandoned job's payload serves nobody; the next follower gets a new snapshot.
    await t.source.finish('late');
    expect(waiting.text()).not.toContain('late');
    t.leader.psync(new FakeChannel(), declaration(), '?', -1);
    expect(t.source.attempts).toBe(3);
  });

  it('a payload that makes no progress for repl-timeout seconds is given up; progress restarts the count', async () => {
    const t = setup({ timeout: 10, pingPeriod: 3600 });
    const channel = new FakeChannel();
    const { peer } = t.leader.psync(channel, declaration(), '?', -1);
    await t.source.finish('x'.repeat(100));
    t.advance(10_000);
    t.leader.tick();
    expect(peer.state).toBe('send_bulk');
    channel.pendingBytes -= 10;
    t.advance(5000);
    t.leader.tick(); // progress: the timer restarts here
    t.advance(10_000);
    t.leader.tick();
    expect(channel.closed).toBe(0);
    t.advance(1);
    t.leader.tick();
    expect(channel.closed).toBe(1);
    expect(t.leader.replicas.has(peer)).toBe(false);
  });

  it('finishing at once (empty queue) puts the follower online immediately', async () => {
    const t = setup();
    const channel = new FakeChannel();
    const { peer } = t.leader.psync(channel, declaration(), '?', -1);
    channel.queueWrites = false;
    channel.pendingBytes = 0; // the +FULLRESYNC line left
    await t.source.finish('R');
    expect(peer.state).toBe('online');
  });
});

describe('ReplicationLeader: output limits of online followers', () => {
  it('hard limit: dropped as soon as more than the limit is queued', async () => {
    const t = setup({ outputHardLimit: 100 });
    const { peer, channel } = onlinePeer(t);
    t.stream.write('a'.repeat(60));
    t.stream.write('a'.repeat(40)); // exactly 100: kept
    await settle();
    expect(channel.pendingBytes).toBe(100);
    expect(channel.closed).toBe(0);
    t.stream.write('a');
    await settle();
    expect(channel.closed).toBe(1);
    expect(t.leader.replicas.has(peer)).toBe(false);
    // Gone means no more bytes.
    const before = channel.text().length;
    t.stream.write('more');
    await settle();
    expect(channel.text().length).toBe(before);
  });

  it('soft limit: dropped once over it for longer than the soft seconds; dropping below resets the count', async () => {
    const t = setup({ outputSoftLimit: 100, outputSoftSeconds: 10 });
    const { channel } = onlinePeer(t);
    const write = async (text: string): Promise<void> => {
      t.stream.write(text);
      await settle();
    };
    await write('a'.repeat(150));
    t.advance(10_000);
    await write('a');
    expect(channel.closed).toBe(0);
    channel.pendingBytes = 0;
    await write('a'); // under: the count resets
    await write('a'.repeat(150));
    t.advance(10_000);
    await write('a');
    expect(channel.closed).toBe(0);
    t.advance(1);
    await write('a');
    expect(channel.closed).toBe(1);
  });

  it('0 means unlimited', async () => {
    const t = setup();
    const { channel } = onlinePeer(t);
    t.stream.write('a'.repeat(100_000));
    await settle();
    expect(channel.pendingBytes).toBe(100_000);
    expect(channel.closed).toBe(0);
  });
});

describe('ReplicationLeader: acknowledgements and WAIT', () => {
  it('acknowledge keeps the highest offsets and the time; only online followers count', () => {
    const t = setup();
    const { peer } = onlinePeer(t);
    const waiting = t.leader.psync(new FakeChannel(), declaration(), '?', -1).peer;
    expect([peer.ackOffset, peer.aofOffset]).toEqual([0, -1]);
    t.advance(500);
    t.leader.acknowledge(peer, 100, undefined);
    expect([peer.ackOffset, peer.aofOffset, peer.lastAckAt]).toEqual([100, -1, t.now]);
    t.leader.acknowledge(peer, 50, 40);
    expect([peer.ackOffset, peer.aofOffset]).toEqual([100, 40]);
    t.leader.acknowledge(peer, 120, 30);
    expect([peer.ackOffset, peer.aofOffset]).toEqual([120, 40]);
    t.leader.acknowledge(waiting, 1000, 1000);
    expect(t.leader.countAcknowledged(120)).toBe(1);
    expect(t.leader.countAcknowledged(121)).toBe(0);
    expect(t.leader.countAcknowledged(0)).toBe(1);
    expect(t.leader.countAcknowledged(40, 'aof')).toBe(1);
    expect(t.leader.countAcknowledged(41, 'aof')).toBe(0);
  });

  it('countGoodReplicas: online followers whose last ACK is at most maxLag whole seconds old', () => {
    const t = setup();
    const first = onlinePeer(t).peer;
    const second = onlinePeer(t).peer;
    t.leader.psync(new FakeChannel(), declaration(), '?', -1); // wait_bgsave: never good
    expect(t.leader.countGoodReplicas(10)).toBe(2);
    t.advance(5000);
    t.leader.acknowledge(second, 1, undefined);
    t.advance(5999); // first: 10.999 s -> lag 10
    expect(t.leader.countGoodReplicas(10)).toBe(2);
    t.advance(1); // first: lag 11
    expect(t.leader.countGoodReplicas(10)).toBe(1);
    expect(t.leader.countGoodReplicas(5)).toBe(0);
    void first;
  });

  it('waiters are re-checked on every ACK (and on detach) until they return true; cancel ends a wait', async () => {
    const t = setup();
    const { peer } = onlinePeer(t);
    const other = onlinePeer(t).peer;
    let checks = 0;
    t.leader.waitForAcks(() => {
      checks++;
      return t.leader.countAcknowledged(10) >= 1;
    });
    let cancelledChecks = 0;
    const cancel = t.leader.waitForAcks(() => {
      cancelledChecks++;
      return false;
    });
    t.leader.acknowledge(peer, 5, undefined);
    expect([checks, cancelledChecks]).toEqual([1, 1]);
    cancel();
    t.leader.acknowledge(peer, 10, undefined);
    expect([checks, cancelledChecks]).toEqual([2, 1]);
    t.leader.acknowledge(peer, 11, undefined);
    t.leader.recheckWaiters();
    expect(checks).toBe(2);
    let detachChecks = 0;
    t.leader.waitForAcks(() => {
      detachChecks++;
      return false;
    });
    t.leader.detach(other);
    expect(detachChecks).toBe(1);
    await settle();
  });

  it('one REPLCONF GETACK * per event-loop turn for all waiters, through the stream', async () => {
    const t = setup();
    const { channel } = onlinePeer(t);
    t.leader.waitForAcks(() => false);
    t.leader.waitForAcks(() => false);
    t.leader.requestAcks();
    expect(t.stream.withoutDb).toEqual([]);
    await settle();
    expect(t.stream.withoutDb).toEqual([['REPLCONF', 'GETACK', '*']]);
    expect(channel.take()).toBe(GETACK_BYTES);
    expect(t.stream.offset).toBe(37);
    t.leader.waitForAcks(() => false);
    await settle();
    expect(t.stream.withoutDb.length).toBe(2);
    await settle();
    expect(t.stream.withoutDb.length).toBe(2);
  });

  it('no GETACK without followers, while relaying a leader, or while the stream is frozen', async () => {
    const alone = setup();
    alone.leader.ensureBacklog(true);
    alone.leader.waitForAcks(() => false);
    await settle();
    expect(alone.stream.withoutDb).toEqual([]);

    const t = setup();
    onlinePeer(t);
    t.leader.relaying = true;
    t.leader.waitForAcks(() => false);
    await settle();
    t.leader.relaying = false;
    t.leader.streamFrozen = true;
    t.leader.waitForAcks(() => false);
    await settle();
    expect(t.stream.withoutDb).toEqual([]);
    t.leader.streamFrozen = false;
    t.leader.requestAcks();
    await settle();
    expect(t.stream.withoutDb).toEqual([['REPLCONF', 'GETACK', '*']]);
  });
});

describe('ReplicationLeader: tick()', () => {
  it('PINGs into the stream every repl-ping-replica-period seconds, counted from start-up, only with followers', async () => {
    const t = setup({ pingPeriod: 10 });
    t.advance(9999);
    t.leader.tick();
    expect(t.stream.withoutDb).toEqual([]);
    t.advance(1);
    t.leader.tick(); // due, but nobody to ping
    expect(t.stream.withoutDb).toEqual([]);
    const { channel } = onlinePeer(t);
    t.leader.tick();
    expect(t.stream.withoutDb).toEqual([['ping']]);
    await settle();
    expect(channel.take()).toBe(PING_BYTES);
    t.advance(9999);
    t.leader.tick();
    expect(t.stream.withoutDb.length).toBe(1);
    t.advance(1);
    t.leader.tick();
    expect(t.stream.withoutDb.length).toBe(2);
    t.leader.relaying = true;
    t.advance(10_000);
    t.leader.tick();
    t.leader.relaying = false;
    t.leader.streamFrozen = true;
    t.leader.tick();
    expect(t.stream.withoutDb.length).toBe(2);
  });

  it('newlines only to followers waiting for their payload', async () => {
    const t = setup();
    const { channel: online } = onlinePeer(t);
    const waiting = new FakeChannel();
    t.leader.psync(waiting, declaration(), '?', -1);
    waiting.take();
    t.leader.tick();
    t.leader.tick();
    expect(waiting.take()).toBe('\n\n');
    expect(online.take()).toBe('');
    await t.source.finish('R');
    waiting.take();
    t.leader.tick();
    expect(waiting.take()).toBe('');
  });

  it('repl-timeout: an online follower silent for longer is dropped; an ACK keeps it', () => {
    const t = setup({ timeout: 60 });
    const { peer, channel } = onlinePeer(t);
    t.advance(30_000);
    t.leader.acknowledge(peer, 0, undefined);
    t.advance(60_000);
    t.leader.tick();
    expect(channel.closed).toBe(0);
    t.advance(1);
    t.leader.tick();
    expect(channel.closed).toBe(1);
    expect(t.leader.replicas.size).toBe(0);
  });

  it('repl-timeout spares followers of the old SYNC, which never ACK', async () => {
    const t = setup({ timeout: 60 });
    const channel = new FakeChannel();
    channel.queueWrites = false;
    const { peer } = t.leader.psync(channel, declaration([]), '?', -1, true);
    await t.source.finish('R');
    expect(peer.state).toBe('online');
    t.advance(120_000);
    t.leader.tick();
    expect(channel.closed).toBe(0);
  });

  it('backlog TTL: freed (new history) after repl-backlog-ttl seconds without followers', () => {
    const t = setup({ backlogTtl: 10, timeout: 1000 });
    const { peer } = onlinePeer(t);
    t.history.shiftHistory();
    const replid = t.history.replid;
    t.advance(100_000);
    t.leader.tick(); // a follower is attached: kept
    t.leader.acknowledge(peer, 0, undefined);
    t.leader.detach(peer);
    t.advance(10_000);
    t.leader.tick();
    expect(t.leader.backlog).not.toBeNull();
    t.advance(1);
    t.leader.tick();
    expect(t.leader.backlog).toBeNull();
    expect(t.stream.calls.at(-1)).toBe('detach');
    expect(t.history.replid).toMatch(HEX40);
    expect(t.history.replid).not.toBe(replid);
    expect([t.history.replid2, t.history.secondReplOffset]).toEqual([NO_REPLICATION_ID, -1]);
  });

  it('after the TTL freed the backlog, the old history cannot continue, and writes meanwhile start yet another one', () => {
    const t = setup({ backlogTtl: 1 });
    t.leader.ensureBacklog(true);
    t.stream.write('abc');
    t.advance(1001);
    t.leader.tick();
    const afterFree = t.history.replid;
    expect(afterFree).not.toBe(A);
    t.stream.write('untracked');
    expect(t.stream.offset).toBe(3);
    const channel = new FakeChannel();
    expect(t.leader.psync(channel, declaration(), A, 4).outcome).toBe('full');
    expect(t.history.replid).not.toBe(afterFree);
    expect(channel.text()).toBe(`+FULLRESYNC ${t.history.replid} 3\r\n`);
    expect(t.leader.backlog!.firstByteOffset).toBe(4);
  });

  it('backlog TTL 0 keeps it forever; a relaying follower never frees its backlog', () => {
    const forever = setup({ backlogTtl: 0 });
    forever.leader.ensureBacklog(true);
    forever.advance(10 * 86_400_000);
    forever.leader.tick();
    expect(forever.leader.backlog).not.toBeNull();

    const relay = setup({ backlogTtl: 10 });
    relay.leader.ensureBacklog(true);
    relay.leader.relaying = true;
    relay.advance(100_000);
    relay.leader.tick();
    expect(relay.leader.backlog).not.toBeNull();
  });

  it('a follower promoted after a long time without sub-followers keeps its backlog and replid2 for the TTL (Redis restarts the count)', () => {
    const t = setup({ backlogTtl: 3600 });
    t.leader.relaying = true; // a follower, from start-up on
    t.leader.ensureBacklog(true);
    t.advance(2 * 3_600_000);
    t.leader.tick();
    // REPLICAOF NO ONE: the service shifts the history and leads.
    t.history.shiftHistory();
    const { replid, replid2 } = t.history;
    t.leader.relaying = false;
    t.leader.tick();
    expect(t.leader.backlog).not.toBeNull();
    expect([t.history.replid, t.history.replid2]).toEqual([replid, replid2]);
    t.advance(3_600_000);
    t.leader.tick();
    expect(t.leader.backlog).not.toBeNull();
    t.advance(1);
    t.leader.tick();
    expect(t.leader.backlog).toBeNull();
  });
});

describe('ReplicationLeader: ensureBacklog', () => {
  it('keeps the history when every change was tracked; starts at the current offset', () => {
    const history = new ReplicationHistory(B, 40);
    history.shiftHistory();
    const { replid, replid2 } = history;
    const t = setup({}, history);
    t.stream.offset = 40;
    const backlog = t.leader.ensureBacklog(true);
    expect([history.replid, history.replid2, history.secondReplOffset]).toEqual([replid, replid2, 41]);
    expect([backlog.firstByteOffset, backlog.histlen, backlog.endOffset]).toEqual([41, 0, 40]);
    expect(t.leader.ensureBacklog(false)).toBe(backlog);
    expect(history.replid).toBe(replid);
    expect(t.stream.calls).toEqual(['attach']);
    t.stream.write('abc');
    expect([backlog.firstByteOffset, backlog.histlen]).toEqual([41, 3]);
  });

  it('starts a new history when asked to, or when changes went untracked (then clears the flag)', () => {
    const asked = setup();
    asked.leader.ensureBacklog(false);
    expect(asked.history.replid).not.toBe(A);

    const t = setup();
    t.history.shiftHistory();
    const replid = t.history.replid;
    t.stream.write('no sink yet');
    expect(t.stream.untracked).toBe(true);
    t.leader.ensureBacklog(true);
    expect(t.history.replid).not.toBe(replid);
    expect([t.history.replid2, t.history.secondReplOffset]).toEqual([NO_REPLICATION_ID, -1]);
    expect(t.stream.untracked).toBe(false);
  });

  it('freeBacklog detaches from the stream; resizeBacklog resizes the live one', () => {
    const t = setup();
    t.leader.freeBacklog(); // nothing to free
    expect(t.stream.calls).toEqual([]);
    const backlog = t.leader.ensureBacklog(true);
    t.stream.write('abcdef');
    t.leader.resizeBacklog(2);
    expect([backlog.size, backlog.histlen, backlog.firstByteOffset]).toEqual([2, 2, 5]);
    t.leader.freeBacklog();
    expect(t.leader.backlog).toBeNull();
    expect(t.stream.calls).toEqual(['attach', 'detach']);
  });
});

describe('ReplicationLeader: disconnectAll', () => {
  it('closes every follower and forgets a job in progress', async () => {
    const t = setup();
    const { channel: online } = onlinePeer(t);
    const waiting = new FakeChannel();
    t.leader.psync(waiting, declaration(), '?', -1);
    t.leader.disconnectAll('test');
    expect([online.closed, waiting.closed]).toEqual([1, 1]);
    expect(t.leader.replicas.size).toBe(0);
    const after = waiting.text();
    await t.source.finish('R');
    expect(waiting.text()).toBe(after);
    // The next follower needs a new snapshot.
    t.leader.psync(new FakeChannel(), declaration(), '?', -1);
    expect(t.source.attempts).toBe(2);
  });
});
