// PLACEHOLDER: replaced by the feature's screen.
export function AuditPage() {
  return <h1 className="text-2xl font-semibold">AuditPage</h1>;
}
