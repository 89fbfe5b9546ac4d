/** The set-up's errors in the cashier's language; the server's own words for anything else. */
import { useTranslation } from 'react-i18next';
import { ApiError, isNetworkError } from '@orbit/shared/api/problem';
import { useErrorMessage } from '@orbit/shared/ui/states';

export function useSetupError(): (error: unknown) => string | null {
  const { t } = useTranslation('setup');
  const fallback = useErrorMessage();
  return (error) => {
    if (!error) return null;
    if (isNetworkError(error)) return t('offline');
    if (error instanceof ApiError) {
      if (error.status === 401) return t('wrong');
      if (error.status === 429) return t('throttled');
      if (error.code === 'role_forbidden') return t('notManager');
      if (error.code === 'pairing_code_invalid') return t('codeInvalid');
      if (error.code === 'register_has_device') return t('registerTaken');
    }
    return fallback(error);
  };
}
