// PLACEHOLDER: replaced by the feature's screen.
export function SalePage() {
  return <h1 className="text-2xl font-semibold">SalePage</h1>;
}
