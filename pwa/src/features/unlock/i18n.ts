import { registerTranslations } from '@orbit/shared/i18n/i18n';

/** Unlocking the till with a cashier's PIN. */
registerTranslations('unlock', {
  en: {
    title: 'Who is at the till?',
    choose: 'Choose your name, then type your PIN.',
    nobody: 'Nobody of this shop has a POS PIN yet. Set one in the web app (Users, or your own profile), then come back online so the till learns it.',
    pin: 'PIN of {{name}}',
    pinLabel: 'PIN',
    digit: 'Digit {{digit}}',
    erase: 'Erase',
    unlock: 'Unlock',
    checking: 'Checking…',
    back: 'Choose another person',
    wrong_one: 'Wrong PIN. {{count}} more try before the till locks for a while.',
    wrong_other: 'Wrong PIN. {{count}} more tries before the till locks for a while.',
    locked: 'Too many wrong PINs. The till accepts PINs again in {{seconds}} s.',
    queue: '{{count}} documents wait to be sent',
  },
  es: {
    title: '¿Quién está en la caja?',
    choose: 'Elige tu nombre y escribe tu PIN.',
    nobody: 'Nadie de esta tienda tiene PIN de caja todavía. Define uno en la aplicación web (Usuarios, o tu perfil) y vuelve a conectar para que la caja lo conozca.',
    pin: 'PIN de {{name}}',
    pinLabel: 'PIN',
    digit: 'Dígito {{digit}}',
    erase: 'Borrar',
    unlock: 'Desbloquear',
    checking: 'Comprobando…',
    back: 'Elegir a otra persona',
    wrong_one: 'PIN incorrecto. Queda {{count}} intento antes de que la caja se bloquee un rato.',
    wrong_other: 'PIN incorrecto. Quedan {{count}} intentos antes de que la caja se bloquee un rato.',
    locked: 'Demasiados PIN incorrectos. La caja vuelve a aceptar PIN en {{seconds}} s.',
    queue: '{{count}} documentos esperan ser enviados',
  },
});
