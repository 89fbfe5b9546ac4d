// PLACEHOLDER: replaced by the feature's screen.
export function RegistersPage() {
  return <h1 className="text-2xl font-semibold">RegistersPage</h1>;
}
