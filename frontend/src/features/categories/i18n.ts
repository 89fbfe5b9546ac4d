import { registerTranslations } from '@orbit/shared/i18n/i18n';

/** The categories screen: the tree, adding, renaming or moving, deleting. */
registerTranslations('categories', {
  en: {
    title: 'Categories',
    description: 'Group products for filters, reports and forecasts. A category may sit inside another.',
    caption: 'Categories, each under its parent',
    empty: 'No categories yet',
    emptyHint: 'Add the first one above.',
    name: 'Name',
    parent: 'Inside',
    noParent: 'None (top level)',
    actions: 'Actions',
    create: {
      title: 'New category',
      submit: 'Add category',
      done: 'Category added',
    },
    edit: {
      action: 'Rename or move {{name}}',
      title: 'Edit {{name}}',
      done: 'Category saved',
    },
    remove: {
      action: 'Delete {{name}}',
      title: 'Delete {{name}}?',
      description: 'The category is deleted. Only an empty category can be: move its products and subcategories elsewhere first.',
      confirm: 'Delete category',
      done: 'Category deleted',
      inUse: 'This category still has products or subcategories. Move them to another category first.',
    },
    validation: {
      required: 'Required',
      tooLong: 'At most 200 characters',
      nameTaken: 'Another category already has this name',
      cycle: 'A category cannot be inside itself or one of its subcategories',
      noParent: 'That category no longer exists',
    },
  },
  es: {
    title: 'Categorías',
    description: 'Agrupa productos para filtros, informes y pronósticos. Una categoría puede estar dentro de otra.',
    caption: 'Categorías, cada una bajo su categoría superior',
    empty: 'Aún no hay categorías',
    emptyHint: 'Agrega la primera arriba.',
    name: 'Nombre',
    parent: 'Dentro de',
    noParent: 'Ninguna (nivel superior)',
    actions: 'Acciones',
    create: {
      title: 'Nueva categoría',
      submit: 'Agregar categoría',
      done: 'Categoría agregada',
    },
    edit: {
      action: 'Renombrar o mover {{name}}',
      title: 'Editar {{name}}',
      done: 'Categoría guardada',
    },
    remove: {
      action: 'Eliminar {{name}}',
      title: '¿Eliminar {{name}}?',
      description: 'La categoría se elimina. Solo se puede eliminar una categoría vacía: primero mueve sus productos y subcategorías a otra.',
      confirm: 'Eliminar categoría',
      done: 'Categoría eliminada',
      inUse: 'Esta categoría aún tiene productos o subcategorías. Muévelos primero a otra categoría.',
    },
    validation: {
      required: 'Obligatorio',
      tooLong: 'Hasta 200 caracteres',
      nameTaken: 'Otra categoría ya tiene este nombre',
      cycle: 'Una categoría no puede estar dentro de sí misma ni de una de sus subcategorías',
      noParent: 'Esa categoría ya no existe',
    },
  },
});
