/**
 * The apex's sign-in form: from a shop's address to that shop's own sign-in page. The base
 * domain and port come from this page's address (the landing lives at the apex, each shop at a
 * subdomain of it), so the same build works on any domain. A shop that does not exist is said
 * so here rather than as an error page on an unknown host.
 */
import { api, unwrap } from '@orbit/shared/api/client';
import { isNetworkError } from '@orbit/shared/api/problem';
import { subdomainProblem } from './signup-rules';

interface Messages {
  unknown: string;
  invalid: string;
  network: string;
}

/** The sign-in page of shop `subdomain`, next to this page's apex (`www.` dropped). */
export function shopSignInUrl(subdomain: string, here: Pick<Location, 'protocol' | 'hostname' | 'port'>): string {
  const apex = here.hostname.replace(/^www\./, '');
  const port = here.port ? `:${here.port}` : '';
  return `${here.protocol}//${subdomain}.${apex}${port}/sign-in`;
}

/** What a person types as their shop: `Mi-Tienda`, `mi-tienda.example.com` or a full URL → `mi-tienda`. */
export function shopName(typed: string): string {
  const trimmed = typed.trim().toLowerCase().replace(/^https?:\/\//, '');
  return trimmed.split(/[./:]/)[0] ?? '';
}

export function enhanceSignIn(form: HTMLFormElement): void {
  const messages = JSON.parse(form.dataset.messages ?? '{}') as Messages;
  const input = form.elements.namedItem('shop') as HTMLInputElement;
  const error = form.querySelector<HTMLElement>('#shop-error');
  const suffix = form.querySelector<HTMLElement>('[data-apex-suffix]');
  if (suffix) suffix.textContent = `.${window.location.hostname.replace(/^www\./, '')}`;
  form.noValidate = true;

  function show(message: string | null): void {
    if (error) {
      error.textContent = message ?? '';
      error.hidden = !message;
    }
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  input.addEventListener('input', () => show(null));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = shopName(input.value);
    if (subdomainProblem(name)) {
      show(messages.invalid);
      input.focus();
      return;
    }
    unwrap(api.GET('/api/v1/subdomains/check', { params: { query: { name } } })).then(
      (answer) => {
        // A name nobody may register (taken) is a shop; a free one is no shop at all.
        if (answer.available || answer.reason !== 'this subdomain is taken') {
          show(messages.unknown);
          input.focus();
          return;
        }
        window.location.assign(shopSignInUrl(name, window.location));
      },
      (failure: unknown) => show(isNetworkError(failure) ? messages.network : messages.unknown),
    );
  });
}
