// PLACEHOLDER: replaced by the feature's screen.
export function ShiftPage() {
  return <h1 className="text-2xl font-semibold">ShiftPage</h1>;
}
