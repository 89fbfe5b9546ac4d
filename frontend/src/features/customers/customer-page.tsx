// PLACEHOLDER: replaced by the feature's screen.
export function CustomerPage() {
  return <h1 className="text-2xl font-semibold">CustomerPage</h1>;
}
