import { useState } from 'react';
import { THEMES, type Settings } from '../../../shared/api/contract.js';
import { siteError } from '../../../shared/site.js';
import { Modal } from '../modal.js';
import { PublishingBackendSettings } from './publishing-backend.js';

export interface SettingsDialogProps {
  settings: Settings;
  /** Saves a change; resolves to null or the host's one-line reason for refusing it. */
  save(patch: Partial<Settings>): Promise<string | null>;
  /** The public site of the backend logged in to, which links follow while it is set. */
  backendSite?: string | null;
  onClose(): void;
}

/** The studio's settings (site URL, theme, autosave delay) and the slot for the publishing backend's. */
export function SettingsDialog({ settings, save, backendSite, onClose }: SettingsDialogProps) {
  const [site, setSite] = useState(settings.site);
  const [theme, setTheme] = useState(settings.theme);
  const [autosave, setAutosave] = useState(String(settings.autosaveMs));
  const [lineNumbers, setLineNumbers] = useState(settings.lineNumbers ?? false);
  const [spelling, setSpelling] = useState(settings.spelling ?? true);
  const [smart, setSmart] = useState(settings.smartPunctuation ?? true);
  const [goal, setGoal] = useState(String(settings.wordGoal ?? 0));
  const [dictionary, setDictionary] = useState(settings.dictionary ?? []);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    // The host validates too (the contract's schema); this only says it sooner, in words.
    const ms = Number(autosave);
    if (!Number.isInteger(ms) || ms < 100 || ms > 1000) return setError('Autosave delay: a whole number of milliseconds from 100 to 1000.');
    const siteWrong = siteError(site.trim());
    if (siteWrong) return setError(`Site URL: ${siteWrong}.`);
    const wordGoal = Number(goal || 0);
    if (!Number.isInteger(wordGoal) || wordGoal < 0 || wordGoal > 1_000_000) return setError('Word goal: a whole number of words from 0 (none) to 1,000,000.');
    setBusy(true);
    const problem = await save({ site: site.trim(), theme, autosaveMs: ms, lineNumbers, spelling, dictionary, smartPunctuation: smart, wordGoal });
    setBusy(false);
    if (problem) setError(problem);
    else onClose();
  }

  return (
    <Modal title="Settings" onClose={onClose} className="settings" testId="settings-dialog">
      <form className="settings-form" onSubmit={submit} noValidate>
        <section aria-labelledby="settings-studio">
          <h3 id="settings-studio">Studio</h3>
          <label>
            <span>Site URL</span>
            <input
              type="url"
              name="site"
              required
              value={site}
              onChange={(e) => setSite(e.currentTarget.value)}
              aria-describedby="settings-site-help"
              aria-invalid={error?.startsWith('Site URL') || undefined}
            />
          </label>
          <p id="settings-site-help" className="help" data-testid="site-help">
            {backendSite
              ? `While logged in, references and citations link to the backend's site, ${backendSite}, as its published pages do; this address is used when logged out.`
              : 'Where references and citations link to in the preview and exports.'}
          </p>
          <label>
            <span>Theme</span>
            <select name="theme" value={theme} onChange={(e) => setTheme(e.currentTarget.value as Settings['theme'])}>
              {THEMES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>Autosave delay (ms)</span>
            <input type="number" name="autosaveMs" min={100} max={1000} step={50} value={autosave} onChange={(e) => setAutosave(e.currentTarget.value)} />
          </label>
        </section>
        <section aria-labelledby="settings-writing">
          <h3 id="settings-writing">Writing</h3>
          <label className="check-row">
            <input type="checkbox" name="lineNumbers" checked={lineNumbers} onChange={(e) => setLineNumbers(e.currentTarget.checked)} />
            <span>Line numbers and the problems gutter</span>
          </label>
          <label className="check-row">
            <input type="checkbox" name="smartPunctuation" checked={smart} onChange={(e) => setSmart(e.currentTarget.checked)} />
            <span>Smart quotes and dashes as you type (“ ” ‘ ’ —)</span>
          </label>
          <label className="check-row">
            <input type="checkbox" name="spelling" checked={spelling} onChange={(e) => setSpelling(e.currentTarget.checked)} />
            <span>Check spelling (the dictionary and the catalog's names)</span>
          </label>
          <label>
            <span>Word goal (0: none)</span>
            <input type="number" name="wordGoal" min={0} max={1000000} step={50} value={goal} onChange={(e) => setGoal(e.currentTarget.value)} />
          </label>
          <div className="dictionary">
            <span id="settings-dictionary">Added to the dictionary</span>
            {dictionary.length === 0 ? (
              <span className="muted">No words yet: “Add to dictionary” on a misspelt word puts it here.</span>
            ) : (
              <ul aria-labelledby="settings-dictionary">
                {dictionary.map((w) => (
                  <li key={w}>
                    {w}{' '}
                    <button
                      type="button"
                      className="link"
                      aria-label={`Remove ${w} from the dictionary`}
                      onClick={() => setDictionary(dictionary.filter((d) => d !== w))}
                    >
                      Remove
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </section>
        <section aria-labelledby="settings-publishing" className="settings-slot">
          <h3 id="settings-publishing">Publishing backend</h3>
          <PublishingBackendSettings />
        </section>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Save
          </button>
        </div>
      </form>
    </Modal>
  );
}
