import { safeStorage } from 'electron';
import type { TokenVault } from '../services/vault/index.js';
import { CipherVault, EnvOverrideVault, FileVault } from '../services/vault/index.js';

/**
 * The Electron app's token vault: encrypted at rest by `safeStorage` (its asynchronous API) where the
 * system offers a keyring. Linux without one (`basic_text`) would only obfuscate the token with a
 * fixed key, so there the studio says so and keeps it in a file only the user may read.
 * `STUDIO_TOKEN` overrides either.
 */
export async function electronTokenVault(file: string): Promise<{ vault: TokenVault; storageNote: (storage: TokenVault['storage']) => string }> {
  const basicText = process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text';
  const encrypted = !basicText && (await safeStorage.isAsyncEncryptionAvailable().catch(() => false));
  const vault = new EnvOverrideVault(encrypted ? new CipherVault(file, safeStorage) : new FileVault(file));
  const storageNote = (storage: TokenVault['storage']): string => {
    if (storage === 'env') return 'The token comes from STUDIO_TOKEN and is not stored.';
    if (storage === 'encrypted') return 'The token is encrypted at rest by the system keyring (Electron safeStorage).';
    return basicText
      ? 'This Linux session offers no keyring (safeStorage would only use a fixed key): the token is kept in a file only your user may read (mode 0600).'
      : 'The system keyring is not available: the token is kept in a file only your user may read (mode 0600).';
  };
  return { vault, storageNote };
}
