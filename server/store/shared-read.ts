/**
 * One read shared by the callers that want it at about the same time, without handing any of them
 * an answer older than its call: a call while a read is under way waits for the next read, which
 * begins once that one is done (joining the read under way could miss a write committed just
 * before the call, which another instance may already have acknowledged). So at most two reads are
 * waited for, and however many callers ask, one read is under way at a time.
 *
 * A call in the same synchronous run as the read's start (a request asking for two things at once)
 * shares that read: nothing from outside (an acknowledgement of another instance's write) can have
 * been seen between the read's start and the call.
 */
export class SharedRead<T> {
  private current: Promise<T> | null = null;
  private next: Promise<T> | null = null;
  /** The read begun in this synchronous run, until its microtasks run. */
  private justBegun: Promise<T> | null = null;

  constructor(private readonly read: () => Promise<T>) {}

  /** The answer of a read begun after this call. */
  get(): Promise<T> {
    if (!this.current) return this.begin();
    if (this.justBegun) return this.justBegun;
    this.next ??= this.current.then(
      () => this.fromNext(),
      () => this.fromNext(),
    );
    return this.next;
  }

  private fromNext(): Promise<T> {
    this.next = null;
    return this.begin();
  }

  private begin(): Promise<T> {
    const read = this.read();
    this.current = read;
    this.justBegun = read;
    queueMicrotask(() => {
      if (this.justBegun === read) this.justBegun = null;
    });
    const done = () => {
      if (this.current === read) this.current = null;
    };
    read.then(done, done);
    return read;
  }
}
