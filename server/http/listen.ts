import type http from 'node:http';
import net from 'node:net';

/** Expected at startup: the port is taken (another Parlance, say). main() prints the message and exits 1. */
export class PortInUseError extends Error {
  constructor(host: string, port: number) {
    super(`Port ${port} on ${host} is already in use; stop the other process or set PORT.`);
  }
}

/**
 * Fails with PortInUseError before anything else starts (embedded Postgres, job runner), so a second
 * `npm start` leaves nothing behind. The real listen can still lose a race; `listen` reports that too.
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = net.createServer();
  await listen(probe, port, host);
  await new Promise((resolve) => probe.close(resolve));
}

export function listen(server: http.Server | net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(host, port) : error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
