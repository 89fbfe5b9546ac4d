// PLACEHOLDER: replaced by the feature's screen.
export function ShiftsPage() {
  return <h1 className="text-2xl font-semibold">ShiftsPage</h1>;
}
