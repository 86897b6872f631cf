import net from 'node:net';

/**
 * A TCP port that is free on 127.0.0.1 right now: the kernel picks it (listen on port 0), we read it and
 * close the socket. Another process can still take it before the caller binds it, which is why callers
 * that pick ports this way retry on "address in use".
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close((err) => (err ? reject(err) : port > 0 ? resolve(port) : reject(new Error('freePort: no port assigned'))));
    });
  });
}

/** `count` distinct free ports (distinct even if the kernel hands the same one out twice in a row). */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
