import { describe, expect, it } from 'vitest';
import { SharedRead } from '../../server/store/shared-read.js';

/** A read whose answers the test gives, one by one, in the order the reads began. */
function controlledReads() {
  const pending: { resolve: (v: number) => void; reject: (e: Error) => void }[] = [];
  let begun = 0;
  const read = () => {
    begun++;
    return new Promise<number>((resolve, reject) => pending.push({ resolve, reject }));
  };
  const settle = async (f: (p: (typeof pending)[number]) => void) => {
    f(pending.shift()!);
    // Let the callers' continuations and the next read begin.
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { read, begun: () => begun, answer: (v: number) => settle((p) => p.resolve(v)), fail: () => settle((p) => p.reject(new Error('lost'))) };
}

describe('SharedRead', () => {
  it('a call while a read is under way gets the next read, begun after it, shared with the other calls of that time', async () => {
    const r = controlledReads();
    const shared = new SharedRead(r.read);
    const first = shared.get();
    await Promise.resolve();
    const second = shared.get();
    const third = shared.get();
    expect(r.begun()).toBe(1);
    await r.answer(1);
    await expect(first).resolves.toBe(1);
    expect(r.begun()).toBe(2);
    const fourth = shared.get();
    await r.answer(2);
    await expect(second).resolves.toBe(2);
    await expect(third).resolves.toBe(2);
    expect(r.begun()).toBe(3);
    await r.answer(3);
    await expect(fourth).resolves.toBe(3);
    // Nothing under way: a call begins its own read at once.
    const fifth = shared.get();
    expect(r.begun()).toBe(4);
    await r.answer(4);
    await expect(fifth).resolves.toBe(4);
  });

  it('calls in the same synchronous run as the start of a read share it: nothing from outside can come between them', async () => {
    const r = controlledReads();
    const shared = new SharedRead(r.read);
    const [a, b] = [shared.get(), shared.get()];
    await Promise.resolve();
    const c = shared.get();
    expect(r.begun()).toBe(1);
    await r.answer(1);
    await expect(a).resolves.toBe(1);
    await expect(b).resolves.toBe(1);
    await r.answer(2);
    await expect(c).resolves.toBe(2);
  });

  it('a failed read fails its callers only; the calls queued behind it get a read of their own', async () => {
    const r = controlledReads();
    const shared = new SharedRead(r.read);
    const first = shared.get();
    await Promise.resolve();
    const second = shared.get();
    await r.fail();
    await expect(first).rejects.toThrow('lost');
    expect(r.begun()).toBe(2);
    await r.answer(7);
    await expect(second).resolves.toBe(7);
  });
});
