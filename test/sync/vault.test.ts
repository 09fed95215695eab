import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CipherVault, EnvOverrideVault, FileVault, MemoryVault, redact } from '../../electron/services/vault/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'vault-'));
  dirs.push(d);
  return d;
};

describe('token vaults', () => {
  it('the file vault writes a 0600 JSON file that says plain', async () => {
    const file = join(temp(), 'sub', 'credentials.json');
    const v = new FileVault(file);
    expect(v.storage).toBe('plain');
    expect(await v.load()).toBeUndefined();
    await v.save({ backendUrl: 'http://b.test', token: 'secret-1' });
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ backendUrl: 'http://b.test', storage: 'plain', token: 'secret-1' });
    expect(await v.load()).toEqual({ backendUrl: 'http://b.test', token: 'secret-1' });
    await v.clear();
    expect(await v.load()).toBeUndefined();
  });

  it('STUDIO_TOKEN overrides the stored token of the backend STUDIO_BACKEND names', async () => {
    const inner = new MemoryVault();
    await inner.save({ backendUrl: 'http://b.test', token: 'stored' });
    const v = new EnvOverrideVault(inner, { STUDIO_TOKEN: 'from-env', STUDIO_BACKEND: 'http://b.test/' });
    expect(v.storage).toBe('env');
    expect(await v.load()).toEqual({ backendUrl: 'http://b.test', token: 'from-env' });
    expect(await new EnvOverrideVault(inner, {}).load()).toEqual({ backendUrl: 'http://b.test', token: 'stored' });
    // Nothing stored: the environment's pair is the login.
    expect(await new EnvOverrideVault(new MemoryVault(), { STUDIO_TOKEN: 'from-env', STUDIO_BACKEND: 'http://b.test' }).load()).toEqual({
      backendUrl: 'http://b.test',
      token: 'from-env',
    });
  });

  it('STUDIO_TOKEN never goes to another backend (issue 15 #5)', async () => {
    const inner = new MemoryVault();
    // A later login to backend B, with its own token, while the environment holds A's.
    await inner.save({ backendUrl: 'http://b.test', token: 'token-of-b' });
    const withA = new EnvOverrideVault(inner, { STUDIO_TOKEN: 'token-of-a', STUDIO_BACKEND: 'http://a.test' });
    expect(await withA.load()).toEqual({ backendUrl: 'http://b.test', token: 'token-of-b' });
    expect(withA.storage).toBe('memory');
    // A token without the backend it was given for names none: it is not sent anywhere.
    const unnamed = new EnvOverrideVault(inner, { STUDIO_TOKEN: 'token-of-a' });
    expect(await unnamed.load()).toEqual({ backendUrl: 'http://b.test', token: 'token-of-b' });
    expect(await new EnvOverrideVault(new MemoryVault(), { STUDIO_TOKEN: 'token-of-a' }).load()).toBeUndefined();
  });

  it('a cipher vault (safeStorage-shaped) keeps no plain token on disk', async () => {
    const file = join(temp(), 'credentials.json');
    const xor = (b: Buffer, k: number) => Buffer.from([...b].map((x) => x ^ k));
    let key = 0x5a;
    let rotated = false;
    const cipher = {
      isAsyncEncryptionAvailable: async () => true,
      encryptStringAsync: async (s: string) => xor(Buffer.from(s), key),
      // Like safeStorage after a key rotation: still reads the old bytes, and asks for a re-encryption.
      decryptStringAsync: async (b: Buffer) => ({ result: xor(b, rotated ? 0x5a : key).toString(), shouldReEncrypt: rotated && key !== 0x5a }),
    };
    const v = new CipherVault(file, cipher);
    await v.save({ backendUrl: 'http://b.test', token: 'very-secret-token' });
    expect(readFileSync(file, 'utf8')).not.toContain('very-secret-token');
    expect(await v.load()).toEqual({ backendUrl: 'http://b.test', token: 'very-secret-token' });
    expect(await new FileVault(file).load()).toBeUndefined();
    // A rotated key: the token still loads, and the file is rewritten under the new key.
    const before = readFileSync(file, 'utf8');
    rotated = true;
    key = 0x33;
    expect(await v.load()).toEqual({ backendUrl: 'http://b.test', token: 'very-secret-token' });
    const after = readFileSync(file, 'utf8');
    expect(after).not.toBe(before);
    expect(after).not.toContain('very-secret-token');
    expect(xor(Buffer.from(JSON.parse(after).token, 'base64'), 0x33).toString()).toBe('very-secret-token');
  });

  it('redacts a token out of a message', () => {
    expect(redact('Bearer abc123 failed abc123', 'abc123')).toBe('Bearer [token] failed [token]');
  });
});
