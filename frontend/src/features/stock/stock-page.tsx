// PLACEHOLDER: replaced by the feature's screen.
export function StockPage() {
  return <h1 className="text-2xl font-semibold">StockPage</h1>;
}
