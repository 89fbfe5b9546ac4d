// PLACEHOLDER: replaced by the feature's screen.
export function ForecastsPage() {
  return <h1 className="text-2xl font-semibold">ForecastsPage</h1>;
}
