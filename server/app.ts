import http from 'node:http';
import type { AppDeps } from './context.ts';
import { withAccessLog } from './http/accessLog.ts';
import { clientAddress } from './http/clientAddress.ts';
import { createRouter, type RouterOptions } from './http/router.ts';
import { attachGraphqlWs } from './http/wsServer.ts';
import { createYogaServer, type Yoga } from './http/yoga.ts';
import { closeLiveRegistry, liveRegistry } from './services/liveSessions.ts';

type AppOptions = RouterOptions;

export interface App {
  yoga: Yoga;
  server: http.Server;
  /** Stops accepting connections, lets in-flight requests finish, closes sockets. */
  close: () => Promise<void>;
}

export function buildApp(deps: AppDeps, options: AppOptions = {}): App {
  const yoga = createYogaServer(deps);
  const server = http.createServer(withAccessLog(deps, createRouter(deps, yoga, options)));

  // Live sessions of this process: their engines, and the sweep that ends idle sessions (also ones
  // left ACTIVE by a process that stopped), from the moment the server serves.
  server.once('listening', () => liveRegistry(deps));

  const ws = attachGraphqlWs(deps, yoga, server, (request) => clientAddress(deps, request));
  return {
    yoga,
    server,
    close: async () => {
      await closeLiveRegistry(deps);
      await ws.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
