// PLACEHOLDER: replaced by the feature's screen.
export function CustomersPage() {
  return <h1 className="text-2xl font-semibold">CustomersPage</h1>;
}
