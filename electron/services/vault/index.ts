/**
 * Where the studio keeps its backend token. The Electron app uses a vault backed by `safeStorage`
 * (encrypted at rest, kept in the main process); the command line uses the file vault, which says
 * plainly that its storage is `plain`. `STUDIO_TOKEN` (with `STUDIO_BACKEND`) overrides any vault for that backend only.
 * Nothing here ever logs a token or puts one in an error message.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../atomic-write.js';

/** How a vault keeps the token at rest. */
export type VaultStorage = 'encrypted' | 'plain' | 'env' | 'memory';

export interface StoredCredentials {
  backendUrl: string;
  token: string;
}

export interface TokenVault {
  readonly storage: VaultStorage;
  /** The stored backend and token, or undefined when nobody logged in. */
  load(): Promise<StoredCredentials | undefined>;
  save(credentials: StoredCredentials): Promise<void>;
  clear(): Promise<void>;
}

/**
 * Encrypts and decrypts strings: the shape of Electron's asynchronous `safeStorage` API
 * (isAsyncEncryptionAvailable, encryptStringAsync, decryptStringAsync), declared here so that the
 * services need no Electron and electron/main hands `safeStorage` in as it is.
 */
export interface StringCipher {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plain: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
}

interface VaultFile {
  backendUrl: string;
  storage: 'plain' | 'encrypted';
  token: string;
}

function writePrivate(file: string, text: string): void {
  writeFileAtomicSync(file, text, { mode: 0o600, mkdir: 0o700 });
}

function readVaultFile(file: string): VaultFile | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<VaultFile>;
    if (typeof data.backendUrl !== 'string' || typeof data.token !== 'string') return undefined;
    return { backendUrl: data.backendUrl, token: data.token, storage: data.storage === 'encrypted' ? 'encrypted' : 'plain' };
  } catch {
    throw new Error(`the credentials file ${file} is damaged: log in again`);
  }
}

/** A JSON file (mode 0600) holding the token as it is: `storage: "plain"`. */
export class FileVault implements TokenVault {
  readonly storage = 'plain' as const;
  constructor(readonly file: string) {}

  async load(): Promise<StoredCredentials | undefined> {
    const data = readVaultFile(this.file);
    if (!data || data.storage !== 'plain') return undefined;
    return { backendUrl: data.backendUrl, token: data.token };
  }

  async save(c: StoredCredentials): Promise<void> {
    writePrivate(this.file, `${JSON.stringify({ backendUrl: c.backendUrl, storage: 'plain', token: c.token } satisfies VaultFile, null, 2)}\n`);
  }

  async clear(): Promise<void> {
    rmSync(this.file, { force: true });
  }
}

/** The same file, with the token encrypted by a cipher (Electron `safeStorage`): `storage: "encrypted"`. */
export class CipherVault implements TokenVault {
  readonly storage = 'encrypted' as const;
  constructor(
    readonly file: string,
    private readonly cipher: StringCipher,
  ) {}

  async load(): Promise<StoredCredentials | undefined> {
    const data = readVaultFile(this.file);
    if (!data || data.storage !== 'encrypted') return undefined;
    const { result, shouldReEncrypt } = await this.cipher.decryptStringAsync(Buffer.from(data.token, 'base64'));
    const credentials = { backendUrl: data.backendUrl, token: result };
    // The system rotated its key: store the token again under the new one.
    if (shouldReEncrypt) await this.save(credentials);
    return credentials;
  }

  async save(c: StoredCredentials): Promise<void> {
    if (!(await this.cipher.isAsyncEncryptionAvailable())) throw new Error('encryption is not available on this system');
    const token = (await this.cipher.encryptStringAsync(c.token)).toString('base64');
    writePrivate(this.file, `${JSON.stringify({ backendUrl: c.backendUrl, storage: 'encrypted', token } satisfies VaultFile, null, 2)}\n`);
  }

  async clear(): Promise<void> {
    rmSync(this.file, { force: true });
  }
}

/**
 * Wraps a vault: `STUDIO_TOKEN` is the token of the backend `STUDIO_BACKEND` names, and of no other.
 * It wins over the stored token of that backend, is the login when nothing is stored, and is never
 * sent to another backend (a later login to one keeps its own token); without `STUDIO_BACKEND` it
 * names no backend and is not used.
 */
export class EnvOverrideVault implements TokenVault {
  /** Whether the environment's token was the one the last load gave. */
  private applied: boolean;

  constructor(
    private readonly inner: TokenVault,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.applied = this.envPair() !== undefined;
  }

  get storage(): VaultStorage {
    return this.applied ? 'env' : this.inner.storage;
  }

  private envPair(): StoredCredentials | undefined {
    const token = this.env.STUDIO_TOKEN;
    const backendUrl = this.env.STUDIO_BACKEND?.trim().replace(/\/+$/, '');
    return token && backendUrl ? { backendUrl, token } : undefined;
  }

  async load(): Promise<StoredCredentials | undefined> {
    const stored = await this.inner.load();
    const pair = this.envPair();
    this.applied = pair !== undefined && (stored === undefined || sameBackend(stored.backendUrl, pair.backendUrl));
    return this.applied ? pair : stored;
  }

  save(c: StoredCredentials): Promise<void> {
    return this.inner.save(c);
  }
  clear(): Promise<void> {
    return this.inner.clear();
  }
}

function sameBackend(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      return new URL(u).href.replace(/\/+$/, '');
    } catch {
      return u.replace(/\/+$/, '');
    }
  };
  return norm(a) === norm(b);
}

export class MemoryVault implements TokenVault {
  readonly storage = 'memory' as const;
  private value: StoredCredentials | undefined;
  async load(): Promise<StoredCredentials | undefined> {
    return this.value;
  }
  async save(c: StoredCredentials): Promise<void> {
    this.value = { ...c };
  }
  async clear(): Promise<void> {
    this.value = undefined;
  }
}

/** The credentials file in the data folder. */
export function credentialsPath(dataDir: string): string {
  return join(dataDir, 'credentials.json');
}

/** Replaces every occurrence of the token in a text (for messages that quote a server or an error). */
export function redact(text: string, token: string | undefined): string {
  return token ? text.split(token).join('[token]') : text;
}
