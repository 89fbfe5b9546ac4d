// PLACEHOLDER: replaced by the feature's screen.
export function ProductPage() {
  return <h1 className="text-2xl font-semibold">ProductPage</h1>;
}
