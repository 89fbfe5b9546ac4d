// PLACEHOLDER: replaced by the feature's screen.
export function ProductsPage() {
  return <h1 className="text-2xl font-semibold">ProductsPage</h1>;
}
