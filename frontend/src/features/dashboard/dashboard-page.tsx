// PLACEHOLDER: replaced by the feature's screen.
export function DashboardPage() {
  return <h1 className="text-2xl font-semibold">DashboardPage</h1>;
}
