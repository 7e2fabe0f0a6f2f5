import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { requestHandover, type HandoverRequestOptions } from './handover-request.js';

/** A fake leader that records what it received and answers with `reply(received so far)`. */
async function fakeLeader(reply: (received: string) => string | null): Promise<{ port: number; received: () => string; close: () => void }> {
  let received = '';
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const out = reply(received);
      if (out !== null) socket.write(out);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    received: () => received,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

function options(port: number, extra: Partial<HandoverRequestOptions> = {}): HandoverRequestOptions {
  return {
    host: '127.0.0.1',
    port,
    masteruser: '',
    masterauth: '',
    target: { host: '127.0.0.1', port: 6380 },
    failoverTimeoutMs: 2000,
    replyTimeoutMs: 500,
    ...extra,
  };
}

const FAILOVER = '*6\r\n$8\r\nFAILOVER\r\n$2\r\nTO\r\n$9\r\n127.0.0.1\r\n$4\r\n6380\r\n$7\r\nTIMEOUT\r\n$4\r\n2000\r\n';

describe('requestHandover', () => {
  it('sends FAILOVER TO <target> TIMEOUT <ms> and reports +OK as accepted', async () => {
    const leader = await fakeLeader((r) => (r.endsWith('2000\r\n') ? '+OK\r\n' : null));
    closers.push(leader.close);
    const outcome = await requestHandover(options(leader.port)).outcome;
    expect(outcome).toEqual({ accepted: true });
    expect(leader.received()).toBe(FAILOVER);
  });

  it('authenticates first with masterauth (and masteruser when set)', async () => {
    const leader = await fakeLeader((r) => (r.endsWith('2000\r\n') ? '+OK\r\n+OK\r\n' : null));
    closers.push(leader.close);
    expect(await requestHandover(options(leader.port, { masterauth: 'pw' })).outcome).toEqual({ accepted: true });
    expect(leader.received()).toBe(`*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n${FAILOVER}`);

    const withUser = await fakeLeader((r) => (r.endsWith('2000\r\n') ? '+OK\r\n+OK\r\n' : null));
    closers.push(withUser.close);
    await requestHandover(options(withUser.port, { masterauth: 'pw', masteruser: 'repl' })).outcome;
    expect(withUser.received().startsWith('*3\r\n$4\r\nAUTH\r\n$4\r\nrepl\r\n$2\r\npw\r\n')).toBe(true);
  });

  it('reports a refusal with the leader error text', async () => {
    const leader = await fakeLeader(() => '-ERR FAILOVER target HOST and PORT is not a replica.\r\n');
    closers.push(leader.close);
    expect(await requestHandover(options(leader.port)).outcome).toEqual({
      accepted: false,
      reason: 'ERR FAILOVER target HOST and PORT is not a replica.',
    });
  });

  it('reports a failed AUTH without counting the FAILOVER reply', async () => {
    const leader = await fakeLeader((r) => (r.endsWith('2000\r\n') ? '-WRONGPASS invalid username-password pair or user is disabled.\r\n-NOAUTH Authentication required.\r\n' : null));
    closers.push(leader.close);
    const outcome = await requestHandover(options(leader.port, { masterauth: 'bad' })).outcome;
    expect(outcome).toEqual({ accepted: false, reason: 'AUTH failed: WRONGPASS invalid username-password pair or user is disabled.' });
  });

  it('gives up on a leader that never answers, and on one that is not there', async () => {
    const silent = await fakeLeader(() => null);
    closers.push(silent.close);
    expect(await requestHandover(options(silent.port, { replyTimeoutMs: 100 })).outcome).toEqual({
      accepted: false,
      reason: 'the master did not answer in time',
    });

    const gone = await fakeLeader(() => null);
    gone.close();
    const outcome = await requestHandover(options(gone.port)).outcome;
    expect(outcome.accepted).toBe(false);
  });

  it('cancel settles a pending request as not accepted', async () => {
    const silent = await fakeLeader(() => null);
    closers.push(silent.close);
    const request = requestHandover(options(silent.port));
    request.cancel();
    expect(await request.outcome).toEqual({ accepted: false, reason: 'cancelled' });
  });

  it('without a target host, asks the leader how it sees us (CLIENT INFO) and names that address', async () => {
    const info = 'id=7 addr=10.1.2.3:51234 laddr=10.1.2.1:6379 fd=9 name= age=0\n';
    const leader = await fakeLeader((r) => {
      if (r.endsWith('*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n')) return `$${info.length}\r\n${info}\r\n`;
      return r.endsWith('2000\r\n') ? '+OK\r\n' : null;
    });
    closers.push(leader.close);
    const outcome = await requestHandover(options(leader.port, { target: { host: undefined, port: 6380 } })).outcome;
    expect(outcome).toEqual({ accepted: true });
    expect(leader.received()).toBe(
      '*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n*6\r\n$8\r\nFAILOVER\r\n$2\r\nTO\r\n$8\r\n10.1.2.3\r\n$4\r\n6380\r\n$7\r\nTIMEOUT\r\n$4\r\n2000\r\n',
    );
  });

  it('an IPv6 address in CLIENT INFO keeps its colons; a reply without addr= is a refusal', async () => {
    const v6 = await fakeLeader((r) => (r.endsWith('INFO\r\n') ? '$22\r\nid=1 addr=::1:50000 x\n\r\n' : r.endsWith('2000\r\n') ? '+OK\r\n' : null));
    closers.push(v6.close);
    expect(await requestHandover(options(v6.port, { target: { host: undefined, port: 6380 } })).outcome).toEqual({ accepted: true });
    expect(v6.received()).toContain('$3\r\n::1\r\n$4\r\n6380\r\n');

    const odd = await fakeLeader(() => '-ERR unknown subcommand\r\n');
    closers.push(odd.close);
    const outcome = await requestHandover(options(odd.port, { target: { host: undefined, port: 6380 } })).outcome;
    expect(outcome).toEqual({ accepted: false, reason: 'no address in the CLIENT INFO reply: ERR unknown subcommand' });
  });

  it('takes a reply split across reads', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => {
      sockets.push(socket);
      socket.once('data', () => {
        socket.write('+O');
        setTimeout(() => socket.write('K\r\n'), 20);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => {
      for (const s of sockets) s.destroy();
      server.close();
    });
    const port = (server.address() as net.AddressInfo).port;
    expect(await requestHandover(options(port)).outcome).toEqual({ accepted: true });
  });
});
