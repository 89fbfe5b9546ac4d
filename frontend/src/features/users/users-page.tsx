// PLACEHOLDER: replaced by the feature's screen.
export function UsersPage() {
  return <h1 className="text-2xl font-semibold">UsersPage</h1>;
}
