/**
 * A fault-injecting HTTP proxy on 127.0.0.1: per request it passes through, answers 503 or 429
 * (with Retry-After), drops the connection before or after forwarding, or answers slowly.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'pass' }
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'drop-before' }
  | { kind: 'drop-after' }
  | { kind: 'slow'; ms: number; forward: boolean };

export class FaultProxy {
  private server!: Server;
  url = '';
  plan: (req: { method: string; path: string; n: number }) => Fault = () => ({ kind: 'pass' });
  readonly log: { method: string; path: string; fault: Fault['kind'] }[] = [];
  private n = 0;

  constructor(private target: string) {}

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const fault = this.plan({ method, path, n: ++this.n });
      this.log.push({ method, path, fault: fault.kind });
      const forward = async () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers))
          if (typeof v === 'string' && k !== 'host' && k !== 'connection' && k !== 'content-length') headers[k] = v;
        const r = await fetch(this.target + path, { method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
        const body = Buffer.from(await r.arrayBuffer());
        const out: Record<string, string> = {};
        r.headers.forEach((v, k) => {
          if (k !== 'content-encoding' && k !== 'transfer-encoding' && k !== 'content-length' && k !== 'connection' && k !== 'keep-alive') out[k] = v;
        });
        return { status: r.status, headers: out, body };
      };
      try {
        switch (fault.kind) {
          case 'pass': {
            const r = await forward();
            res.writeHead(r.status, r.headers);
            res.end(r.body);
            return;
          }
          case 'status':
            res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}) });
            res.end(JSON.stringify({ error: fault.status === 429 ? 'rate_limited' : 'unavailable', message: 'injected' }));
            return;
          case 'drop-before':
            req.socket.destroy();
            return;
          case 'drop-after':
            await forward();
            req.socket.destroy();
            return;
          case 'slow': {
            const r = fault.forward ? await forward() : undefined;
            await new Promise((ok) => setTimeout(ok, fault.ms));
            if (res.destroyed || req.socket.destroyed) return;
            if (r) {
              res.writeHead(r.status, r.headers);
              res.end(r.body);
            } else {
              res.writeHead(503);
              res.end();
            }
            return;
          }
        }
      } catch {
        req.socket.destroy();
      }
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** A small seeded PRNG (mulberry32) so that fault plans are reproducible. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
