/** An entity type as people read it ("Register"), or the type itself for one we don't name yet. */
import { useTranslation } from 'react-i18next';

export function useEntityLabel(): (entity: string) => string {
  const { t } = useTranslation('audit');
  return (entity) => t(`entities.${entity}`, { defaultValue: entity });
}
