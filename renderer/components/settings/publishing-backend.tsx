/**
 * SLOT — "Publishing backend" settings.
 *
 * Reserved for the sync work (backend URL, account, sync on/off and its status). The settings
 * dialog renders this component in its own section, below the studio's settings; replace the body
 * of this component and keep its place. Nothing else in the dialog needs to change.
 */
export function PublishingBackendSettings() {
  return (
    <p className="muted" data-testid="publishing-backend-slot">
      No publishing backend is set up. Sync settings will appear here.
    </p>
  );
}
