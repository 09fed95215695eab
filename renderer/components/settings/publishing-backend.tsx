import { useEffect, useRef, useState } from 'react';
import { useSyncControl } from '../../sync/sync-context.js';

/**
 * "Publishing backend" settings: the backend's address and the token, who the token is and what
 * its role may do, and how the token is kept. Logging in takes effect at once (not on Save).
 *
 * The token is read from an uncontrolled password field at the moment of the login and the field
 * is emptied right away: it never sits in component state, and no answer of the host ever holds it,
 * so it cannot be shown again.
 */
export function PublishingBackendSettings() {
  const sync = useSyncControl();
  const o = sync?.overview ?? null;
  const [url, setUrl] = useState(o?.backendUrl ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const tokenField = useRef<HTMLInputElement>(null);
  const known = o?.backendUrl;
  useEffect(() => {
    if (known) setUrl((u) => u || known);
  }, [known]);

  if (!sync) return <p className="muted">Sync is not available here.</p>;

  async function logIn() {
    const field = tokenField.current;
    if (!sync || !field || busy) return;
    const token = field.value.trim();
    field.value = '';
    if (!url.trim()) return setError('Backend URL: the address of the publishing backend, such as https://news.example.org.');
    if (!token) return setError('Token: paste the token the backend gave you.');
    setBusy(true);
    setError(null);
    const problem = await sync.login(url.trim(), token);
    setBusy(false);
    setError(problem);
  }

  async function logOut() {
    setBusy(true);
    await sync?.logout();
    setBusy(false);
  }

  // The settings dialog is a form: Enter in these fields logs in rather than saving the dialog.
  const enterLogsIn = (e: React.KeyboardEvent<HTMLElement>) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    void logIn();
  };

  return (
    <div className="publishing-backend" data-testid="publishing-backend">
      {o?.configured ? (
        <p className="backend-account" data-testid="backend-account">
          Logged in to <strong>{o.backendUrl}</strong>
          {o.who ? (
            <>
              {' '}
              as <strong>{o.who}</strong>
            </>
          ) : null}
          {o.role ? (
            <>
              {' '}
              · role <strong>{o.role}</strong>
            </>
          ) : null}
          {o.online === false ? <span className="muted"> (not answering now)</span> : null}{' '}
          <button type="button" onClick={() => void logOut()} disabled={busy}>
            Log out
          </button>
        </p>
      ) : (
        <p className="muted">Not logged in: story actions wait in the outbox until you log in.</p>
      )}
      <label>
        <span>Backend URL</span>
        <input
          type="url"
          name="backendUrl"
          value={url}
          placeholder="https://news.example.org"
          onChange={(e) => setUrl(e.currentTarget.value)}
          onKeyDown={enterLogsIn}
        />
      </label>
      <label>
        <span>Token</span>
        <input
          ref={tokenField}
          type="password"
          name="token"
          autoComplete="off"
          spellcheck={false}
          placeholder={o?.configured ? 'a token is stored; paste another to replace it' : 'paste the token'}
          aria-describedby="backend-token-note"
          onKeyDown={enterLogsIn}
        />
      </label>
      <div className="backend-actions">
        <button type="button" onClick={() => void logIn()} disabled={busy}>
          {busy ? 'Checking…' : 'Log in'}
        </button>
      </div>
      <p id="backend-token-note" className="help" data-testid="token-storage-note">
        {o?.storageNote}
      </p>
      {error && (
        <p className="form-error one-line" role="alert" title={error}>
          {error}
        </p>
      )}
    </div>
  );
}
