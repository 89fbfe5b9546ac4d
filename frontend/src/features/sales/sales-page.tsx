// PLACEHOLDER: replaced by the feature's screen.
export function SalesPage() {
  return <h1 className="text-2xl font-semibold">SalesPage</h1>;
}
