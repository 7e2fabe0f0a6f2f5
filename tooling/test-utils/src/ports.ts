import net from 'node:net';

// Ports handed out recently by this process. The kernel may hand the same
// ephemeral port to two listen(0) calls in a row once the first is closed, and
// two servers started in parallel must not race for it.
const recentlyHanded = new Set<number>();

function probe(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port: 0, host, exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago (and is not one handed out before by this process). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await probe(host);
    if (port > 0 && !recentlyHanded.has(port)) {
      recentlyHanded.add(port);
      if (recentlyHanded.size > 2000) {
        const oldest = recentlyHanded.values().next().value;
        if (oldest !== undefined) recentlyHanded.delete(oldest);
      }
      return port;
    }
  }
  throw new Error('freePort: could not find a free port');
}
