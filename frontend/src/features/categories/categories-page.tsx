// PLACEHOLDER: replaced by the feature's screen.
export function CategoriesPage() {
  return <h1 className="text-2xl font-semibold">CategoriesPage</h1>;
}
