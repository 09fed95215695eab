/**
 * When a PostgreSQL instance may answer from its caches without asking the database (pg-store.ts),
 * and what its writers wait for so that this stays right: "a write acknowledged on one instance is
 * seen on all at the next request".
 *
 * - Every write that can change a public answer announces its change number on the `studio_change`
 *   channel (NOTIFY, delivered at commit). An instance that hears N holds nothing read before N.
 * - An instance *trusts* its caches only while it holds a lease (a `cache_trust` row, renewed every
 *   LEASE_MS / 4) and its listening connection is known to deliver: each renewal sends a ping on the
 *   same channel, and the lease counts locally from the sending of the last ping that came back.
 *   A lost connection stops the pings, so the trust ends by itself within the lease.
 * - A writer, after its commit and before it answers, waits for every other live instance holding
 *   a lease to acknowledge the number (`studio_ack`), or for that lease to run out (at most
 *   LEASE_MS, for an instance that lost its connection; a killed one drops out at once, its
 *   liveness lock gone). The writer reads the leases while holding the change counter's lock, and a
 *   renewal takes that lock too: a lease is either seen by the writer or taken after the write,
 *   with the change number read under the lock (the caches then hold nothing older).
 *
 * Without a lease (before the first ping comes back, after a lost connection) the store checks the
 * change number at each request, as it does without this module.
 */
import type postgres from 'postgres';

/** How long a lease lasts, and the margin kept locally for the clocks' and the timers' slack. */
export const LEASE_MS = 2000;
const MARGIN_MS = 400;
export const CHANGE_CHANNEL = 'studio_change';
const ACK_CHANNEL = 'studio_ack';

type Sql = postgres.Sql<Record<string, never>>;

/** The other instances a writer must hear from: their ids and the ms their leases had left. */
export interface Peers {
  ids: number[] | null;
  leftMs: number[] | null;
}

export class CacheTrust {
  /** The highest change number heard of (or read under the counter's lock at a renewal). */
  heard = 0;
  /** Until when (performance.now()) the caches may be trusted. */
  private trustedUntil = 0;
  private ping = 0;
  /** The renewal under way: trusted from it once both its ping has come back and its read has. */
  private pending: { n: number; sentAt: number; pinged: boolean; read: boolean } | null = null;
  private readonly peerSeen = new Map<number, number>();
  private readonly waiters = new Set<() => void>();
  private acked = 0;
  private acking = false;
  private timer: NodeJS.Timeout | null = null;
  /** When the caches were last asked whether they may be trusted. */
  private wanted = 0;
  private closed = false;

  private constructor(
    private readonly sql: Sql,
    private readonly acks: Sql,
    private readonly instance: number,
  ) {}

  /** Listens, and takes the first lease (trusted once its ping comes back). */
  static async start(sql: Sql, acks: Sql, instance: number): Promise<CacheTrust> {
    const trust = new CacheTrust(sql, acks, instance);
    // On every (re)connection: whatever was sent meanwhile was not heard, so no trust until a new ping returns.
    const relisten = () => {
      trust.trustedUntil = 0;
      trust.pending = null;
    };
    await sql.listen(CHANGE_CHANNEL, (payload) => trust.onChange(payload), relisten);
    await sql.listen(ACK_CHANNEL, (payload) => trust.onAck(payload));
    trust.timer = setInterval(() => void trust.renew(), LEASE_MS / 4);
    trust.timer.unref();
    return trust;
  }

  /**
   * Whether the caches hold everything up to the latest write acknowledged anywhere (see the header).
   * Asking keeps the lease: an instance that stops answering from its caches (one only writing)
   * lets it run out, and other instances' writes stop waiting for it.
   */
  trusted(): boolean {
    const now = performance.now();
    this.wanted = now;
    if (now < this.trustedUntil) return true;
    if (!this.pending && !this.closed) void this.renew();
    return false;
  }

  private onChange(payload: string): void {
    const [kind, a, b] = payload.split(':');
    if (kind === 'p') {
      // Our own ping back: everything committed before it has been heard.
      if (Number(a) === this.instance && this.pending && Number(b) === this.pending.n) {
        this.pending.pinged = true;
        this.settle();
      }
      return;
    }
    const n = Number(a);
    if (n > this.heard) this.heard = n;
    if (Number(b) !== this.instance) this.ack();
  }

  /** Tells the writers what has been heard: one acknowledgement under way at a time, of the latest. */
  private ack(): void {
    if (this.acking || this.acked >= this.heard || this.closed) return;
    this.acking = true;
    const n = this.heard;
    this.acks`SELECT pg_notify(${ACK_CHANNEL}, ${`${this.instance}:${n}`})`
      .then(
        () => (this.acked = Math.max(this.acked, n)),
        () => undefined,
      )
      .finally(() => {
        this.acking = false;
        this.ack();
      });
  }

  private onAck(payload: string): void {
    const [id, n] = payload.split(':').map(Number) as [number, number];
    if ((this.peerSeen.get(id) ?? 0) < n) this.peerSeen.set(id, n);
    for (const wake of [...this.waiters]) wake();
  }

  /**
   * Renews the lease, under the counter's lock (see the header), and sends a ping; skipped while the
   * last ping has not come back (the connection may be lost: the lease then runs out).
   */
  private async renew(): Promise<void> {
    if (this.closed || (this.pending && performance.now() - this.pending.sentAt < LEASE_MS)) return;
    if (performance.now() - this.wanted > LEASE_MS) return;
    const n = ++this.ping;
    const sentAt = performance.now();
    const pending: { n: number; sentAt: number; pinged: boolean; read: boolean } = { n, sentAt, pinged: false, read: false };
    this.pending = pending;
    try {
      const [row] = await this.sql<{ value: number }[]>`
        WITH c AS (SELECT value FROM counters WHERE name = 'change' FOR UPDATE),
          t AS (INSERT INTO cache_trust (instance, until) VALUES (${this.instance}, now() + make_interval(secs => ${LEASE_MS / 1000}))
                ON CONFLICT (instance) DO UPDATE SET until = excluded.until)
        SELECT (SELECT value FROM c) AS value, pg_notify(${CHANGE_CHANNEL}, ${`p:${this.instance}:${n}`})`;
      if (row!.value > this.heard) this.heard = row!.value;
      pending.read = true;
      if (this.pending === pending) this.settle();
    } catch {
      if (this.pending === pending) this.pending = null;
    }
  }

  /** A renewal whose ping came back and whose read (the change number under the lock) is in. */
  private settle(): void {
    const p = this.pending;
    if (!p?.pinged || !p.read) return;
    this.trustedUntil = p.sentAt + LEASE_MS - MARGIN_MS;
    this.pending = null;
  }

  /** After a write's commit: waits until each peer has heard `seq`, or its lease has run out. */
  async peersHeard(seq: number, peers: Peers): Promise<void> {
    if (!peers.ids?.length) return;
    const now = performance.now();
    const deadlines = new Map(peers.ids.map((id, i) => [id, now + (peers.leftMs![i] ?? LEASE_MS)]));
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const check = () => {
        const t = performance.now();
        let next = Infinity;
        for (const [id, until] of deadlines) {
          if ((this.peerSeen.get(id) ?? 0) >= seq || t >= until) deadlines.delete(id);
          else next = Math.min(next, until);
        }
        clearTimeout(timer);
        if (deadlines.size === 0) {
          this.waiters.delete(check);
          resolve();
        } else timer = setTimeout(check, next - t + 1);
      };
      this.waiters.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.trustedUntil = 0;
    // Writers stop waiting for this instance at once.
    await this.sql`DELETE FROM cache_trust WHERE instance = ${this.instance}`.catch(() => undefined);
  }
}
