import { registerTranslations } from '@orbit/shared/i18n/i18n';

/** The hand-over from the landing site's sign-up to the new shop. */
registerTranslations('auth', {
  en: {
    handoff: {
      opening: 'Opening your shop…',
      refusedTitle: 'This sign-up link no longer works',
      refused: 'It was already used, it has expired (it lasts a minute) or it belongs to another shop. Your shop is ready: sign in with the email and password you chose.',
      failedTitle: 'We could not open your shop',
      signIn: 'Sign in',
    },
  },
  es: {
    handoff: {
      opening: 'Abriendo tu tienda…',
      refusedTitle: 'Este enlace de registro ya no sirve',
      refused: 'Ya se usó, venció (dura un minuto) o es de otra tienda. Tu tienda está lista: entra con el correo y la contraseña que elegiste.',
      failedTitle: 'No pudimos abrir tu tienda',
      signIn: 'Iniciar sesión',
    },
  },
});
