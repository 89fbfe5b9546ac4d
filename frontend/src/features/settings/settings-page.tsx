// PLACEHOLDER: replaced by the feature's screen.
export function SettingsPage() {
  return <h1 className="text-2xl font-semibold">SettingsPage</h1>;
}
