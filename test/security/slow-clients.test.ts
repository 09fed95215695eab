/**
 * Security battery, slow clients (issue 15 #6): request, header and body timeouts and a per-address
 * connection limit. A slow body is cut; health keeps answering under a bounded loopback flood.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../server/app.js';
import { hashToken, newToken } from '../../server/auth.js';
import { SqliteStore } from '../../server/store/sqlite-store.js';

const LIMIT_PER_ADDRESS = 16;
let app: Awaited<ReturnType<typeof buildServer>>;
let store: SqliteStore;
let port = 0;
const token = newToken();

beforeAll(async () => {
  store = new SqliteStore(':memory:');
  await store.createToken('slow', 'writer', hashToken(token));
  app = await buildServer({
    store,
    logger: false,
    limits: { requestTimeoutMs: 1_500, headersTimeoutMs: 1_000, keepAliveTimeoutMs: 1_000, idleTimeoutMs: 1_000, connectionsPerAddress: LIMIT_PER_ADDRESS },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as { port: number }).port;
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

/** A socket (from `localAddress`, a loopback address) that sends a PUT's headers and then its body a byte at a time. */
function slowBody(localAddress = '127.0.0.1', to = port): { socket: Socket; closed: Promise<number>; stop(): void } {
  const started = Date.now();
  const socket = connect({ port: to, host: '127.0.0.1', localAddress });
  socket.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  socket.on('connect', () => {
    socket.write(
      `PUT /api/v1/stories/slow HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\nIdempotency-Key: k\r\nIf-None-Match: *\r\n\r\n{`,
    );
    timer = setInterval(() => socket.writable && socket.write(' '), 200);
  });
  const closed = new Promise<number>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve(Date.now() - started);
    }),
  );
  return {
    socket,
    closed,
    stop: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))]);
}

describe('slow clients', () => {
  it('cuts a body that trickles in, once the request timeout has passed', async () => {
    const c = slowBody();
    try {
      const ms = await within(c.closed, 8_000, 'the slow body was not cut');
      expect(ms).toBeGreaterThanOrEqual(1_000);
    } finally {
      c.stop();
    }
  });

  it('cuts headers that never end', async () => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.on('error', () => undefined);
    socket.write('GET /api/v1/health HTTP/1.1\r\nHost: x\r\n');
    const timer = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 200);
    try {
      await within(new Promise((r) => socket.on('close', r)), 8_000, 'the slow headers were not cut');
    } finally {
      clearInterval(timer);
      socket.destroy();
    }
  });

  it(`keeps at most ${LIMIT_PER_ADDRESS} connections of one address, and health answers through a flood of 200 slow bodies`, async () => {
    // A server whose timeouts are far away: what closes the flood here is the per-address limit alone.
    const patient = await buildServer({
      store,
      logger: false,
      limits: { requestTimeoutMs: 120_000, headersTimeoutMs: 120_000, idleTimeoutMs: 120_000, connectionsPerAddress: LIMIT_PER_ADDRESS },
    });
    await patient.listen({ port: 0, host: '127.0.0.1' });
    const patientPort = (patient.server.address() as { port: number }).port;
    const flood = Array.from({ length: 200 }, () => slowBody('127.0.0.2', patientPort));
    try {
      let closed = 0;
      for (const c of flood) void c.closed.then(() => closed++);
      const until = Date.now() + 20_000;
      while (closed < 200 - LIMIT_PER_ADDRESS && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(closed).toBe(200 - LIMIT_PER_ADDRESS);
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const r = await within(fetch(`http://127.0.0.1:${patientPort}/api/v1/health`), 2_000, 'health under the flood');
        expect(r.status).toBe(200);
        expect(performance.now() - t0).toBeLessThan(2_000);
      }
      // The ones within the limit are still open: the limit, not a timeout, closed the others.
      expect(closed).toBe(200 - LIMIT_PER_ADDRESS);
    } finally {
      for (const c of flood) c.stop();
      await patient.close();
    }
  });
});
