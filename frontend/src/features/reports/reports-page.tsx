// PLACEHOLDER: replaced by the feature's screen.
export function ReportsPage() {
  return <h1 className="text-2xl font-semibold">ReportsPage</h1>;
}
