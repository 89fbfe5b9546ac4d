// PLACEHOLDER: replaced by the feature's screen.
export function ImportPage() {
  return <h1 className="text-2xl font-semibold">ImportPage</h1>;
}
