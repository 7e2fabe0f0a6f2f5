// Client factories and probes shared by the application-scenario tests
// (apps-*.test.ts): the two big Node clients in each protocol they speak, and
// a raw admin connection's view of INFO.
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { RawConnection, decodeReply, type RunningServer } from '@aki/test-utils';

export type NodeRedisClient = ReturnType<typeof createClient>;

/** The four client/protocol combinations every scenario runs with. */
export const FLAVOURS = [
  { lib: 'ioredis', protocol: 2 },
  { lib: 'ioredis', protocol: 3 },
  { lib: 'node-redis', protocol: 2 },
  { lib: 'node-redis', protocol: 3 },
] as const;
export type Flavour = (typeof FLAVOURS)[number];
export const flavourName = (f: Flavour) => `${f.lib}, RESP${f.protocol}`;

/** A connected ioredis client (no retries: a dropped connection fails the test). */
export async function connectIoredis(server: RunningServer, protocol: 2 | 3, name?: string): Promise<Redis> {
  const r = new Redis({
    port: server.port,
    host: server.host,
    protocol,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...(name ? { connectionName: name } : {}),
  });
  r.on('error', () => {});
  await r.connect();
  return r;
}

/** A connected node-redis client. */
export async function connectNodeRedis(server: RunningServer, RESP: 2 | 3, name?: string): Promise<NodeRedisClient> {
  const client = createClient({
    socket: { port: server.port, host: server.host, reconnectStrategy: false },
    RESP,
    ...(name ? { name } : {}),
  });
  client.on('error', () => {});
  await client.connect();
  return client as NodeRedisClient;
}

/** One field of an INFO section, read over `admin`. */
export async function infoField(admin: RawConnection, section: string, field: string): Promise<string | undefined> {
  const text = String(decodeReply(await admin.call('INFO', section))!.value);
  return new RegExp(`^${field}:(.*)\\r$`, 'm').exec(text)?.[1];
}

/** INFO clients blocked_clients as a number. */
export async function blockedClients(admin: RawConnection): Promise<number> {
  return Number(await infoField(admin, 'clients', 'blocked_clients'));
}
