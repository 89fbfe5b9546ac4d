/**
 * The sign-up page's one island: it enhances the plain HTML form (which works without it) so
 * that the person hears about every problem as they type, and a valid form registers over JSON
 * and goes straight to the new shop's hand-over page.
 *
 * - The subdomain follows the company's name until the person edits it; the suggestion steps to
 *   `name-2`, `name-3`, … while the server says a name is taken. Every value is checked with the
 *   server (`GET /api/v1/subdomains/check`), debounced, and a submit waits for the check: a taken
 *   or reserved subdomain is refused before anything is posted.
 * - Region fields start from the browser's languages and time zone; the person can change them.
 * - The server's messages (a problem document's `errors[].loc/msg`) are shown at their fields in
 *   the page's language, with the table the page carries (`#signup-messages`), the same one the
 *   server's no-JavaScript answer uses; the rest goes above the form.
 * - One registration in flight at a time; on success the browser leaves for `handoff_url` (the
 *   code is in that URL only, never stored).
 */
import { api, unwrap } from '@orbit/shared/api/client';
import { ApiError, isNetworkError } from '@orbit/shared/api/problem';
import type { SignUpMessages } from '../i18n/strings';
import { guessRegion, passwordScore, subdomainProblem, suggestSubdomain } from './signup-rules';

const CHECK_DELAY_MS = 300;
const SUGGESTION_ATTEMPTS = 6;
const FIELDS = ['company_name', 'subdomain', 'admin_name', 'email', 'password', 'currency', 'locale', 'time_zone'] as const;
type FieldName = (typeof FIELDS)[number];

interface Availability {
  subdomain: string;
  available: boolean;
  reason?: string | null;
}

function readMessages(): SignUpMessages {
  const script = document.getElementById('signup-messages');
  return JSON.parse(script?.textContent ?? '{}') as SignUpMessages;
}

/** The apex the shops live under, from this page's own address (`www.` dropped). */
function apexHost(): string {
  return window.location.hostname.replace(/^www\./, '');
}

export function enhanceSignUp(form: HTMLFormElement): void {
  const messages = readMessages();
  const control = <T extends HTMLInputElement | HTMLSelectElement>(name: FieldName) => form.elements.namedItem(name) as T;
  const company = control<HTMLInputElement>('company_name');
  const subdomain = control<HTMLInputElement>('subdomain');
  const adminName = control<HTMLInputElement>('admin_name');
  const email = control<HTMLInputElement>('email');
  const password = control<HTMLInputElement>('password');
  const status = form.querySelector<HTMLElement>('#subdomain-status');
  const strengthBar = form.querySelector<HTMLElement>('[data-strength]');
  const strengthText = form.querySelector<HTMLElement>('#password-strength-text');
  const formError = form.querySelector<HTMLElement>('[data-form-error]');
  const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  const suffix = form.querySelector<HTMLElement>('[data-apex-suffix]');

  form.noValidate = true;
  if (suffix) suffix.textContent = `.${apexHost()}`;

  // Messages at their fields

  function translate(name: string, message: string): string {
    if (message in messages.messages) return messages.messages[message as keyof SignUpMessages['messages']];
    if (message === 'required' || message.startsWith('Expected') || message.startsWith('Object')) {
      return messages.fields[name as keyof SignUpMessages['fields']] ?? message;
    }
    return message;
  }

  function showFieldError(name: string, message: string | null): void {
    const target = form.querySelector<HTMLElement>(`[data-error-for="${name}"]`);
    const input = form.elements.namedItem(name);
    if (target) {
      target.textContent = message ?? '';
      target.hidden = !message;
    }
    if (input instanceof HTMLInputElement || input instanceof HTMLSelectElement) {
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
  }

  function showFormError(message: string | null): void {
    if (!formError) return;
    formError.textContent = message ?? '';
    formError.hidden = !message;
  }

  // The subdomain: suggested, checked, and its state shown

  let subdomainEdited = subdomain.value.trim() !== '';
  let checkTimer: ReturnType<typeof setTimeout> | undefined;
  let checkGeneration = 0;
  const answers = new Map<string, Promise<Availability>>();

  function availability(name: string): Promise<Availability> {
    let answer = answers.get(name);
    if (!answer) {
      answer = unwrap(api.GET('/api/v1/subdomains/check', { params: { query: { name } } }));
      answers.set(name, answer);
      answer.catch(() => answers.delete(name));
    }
    return answer;
  }

  function showAvailability(state: 'idle' | 'checking' | 'available' | 'refused', message = ''): void {
    if (status) {
      status.textContent = state === 'checking' ? messages.client.checking : state === 'available' ? messages.client.available : '';
      status.className = state === 'checking' ? 'hint' : 'status-ok';
    }
    showFieldError('subdomain', state === 'refused' ? message : null);
  }

  /**
   * Check the subdomain field's value (stepping through suggestions while it is one); true when
   * it may be registered. A newer check supersedes this one, which then answers false quietly.
   */
  async function checkSubdomain(): Promise<boolean> {
    const generation = ++checkGeneration;
    const wanted = subdomain.value.trim().toLowerCase();
    if (!wanted) {
      showAvailability('idle');
      return true;
    }
    const problem = subdomainProblem(wanted);
    if (problem) {
      showAvailability('refused', problem === 'hyphens' ? translate('subdomain', 'consecutive hyphens are not allowed') : messages.fields.subdomain);
      return false;
    }
    showAvailability('checking');
    const candidates = subdomainEdited ? [wanted] : [wanted, ...Array.from({ length: SUGGESTION_ATTEMPTS - 1 }, (_, index) => `${wanted}-${index + 2}`)];
    try {
      for (const candidate of candidates) {
        const answer = await availability(candidate);
        if (generation !== checkGeneration) return false;
        if (answer.available) {
          if (candidate !== subdomain.value) subdomain.value = candidate;
          showAvailability('available');
          return true;
        }
        if (subdomainEdited) {
          showAvailability('refused', translate('subdomain', answer.reason ?? 'this subdomain is taken'));
          return false;
        }
      }
      showAvailability('refused', translate('subdomain', 'this subdomain is taken'));
      return false;
    } catch {
      // The server will check again on submit; do not block the person on a failed check.
      if (generation === checkGeneration) showAvailability('idle');
      return true;
    }
  }

  function scheduleCheck(): void {
    clearTimeout(checkTimer);
    showAvailability(subdomain.value.trim() ? 'checking' : 'idle');
    checkTimer = setTimeout(() => void checkSubdomain(), CHECK_DELAY_MS);
  }

  company.addEventListener('input', () => {
    showFieldError('company_name', null);
    if (subdomainEdited) return;
    subdomain.value = suggestSubdomain(company.value);
    scheduleCheck();
  });

  subdomain.addEventListener('input', () => {
    const lowered = subdomain.value.toLowerCase();
    if (lowered !== subdomain.value) subdomain.value = lowered;
    subdomainEdited = subdomain.value.trim() !== '';
    if (!subdomainEdited && company.value.trim()) subdomain.value = suggestSubdomain(company.value);
    scheduleCheck();
  });

  // The password's strength

  function showStrength(): void {
    if (!strengthBar || !strengthText) return;
    if (!password.value) {
      strengthBar.hidden = true;
      strengthText.textContent = '';
      return;
    }
    const score = passwordScore(password.value, [email.value.split('@')[0] ?? '', adminName.value, company.value]);
    strengthBar.hidden = false;
    strengthBar.dataset.score = String(score);
    strengthText.textContent = `${messages.client.strengthLabel} ${messages.client.strength[score]}`;
  }

  password.addEventListener('input', () => {
    showFieldError('password', null);
    showStrength();
  });
  for (const input of [adminName, email]) {
    input.addEventListener('input', () => {
      showFieldError(input.name, null);
      if (password.value) showStrength();
    });
  }

  // The region, guessed from the browser

  const select = (name: FieldName) => control<HTMLSelectElement>(name);
  const values = (element: HTMLSelectElement) => Array.from(element.options, (option) => option.value);
  const guess = guessRegion(navigator.languages ?? [navigator.language], values(select('locale')), values(select('currency')));
  if (guess.locale) select('locale').value = guess.locale;
  if (guess.currency) select('currency').value = guess.currency;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone) {
    const zones = select('time_zone');
    if (!values(zones).includes(zone)) zones.add(new Option(zone, zone));
    zones.value = zone;
  }

  // Submitting

  function localProblems(): Partial<Record<FieldName, string>> {
    const problems: Partial<Record<FieldName, string>> = {};
    for (const input of [company, adminName, email]) {
      if (!input.value.trim() || !input.checkValidity()) problems[input.name as FieldName] = messages.fields[input.name as FieldName];
    }
    if (passwordScore(password.value, [email.value.split('@')[0] ?? '', adminName.value, company.value]) === 0) {
      problems.password = password.value.length < 10 ? messages.fields.password : translate('password', 'use a less repetitive password');
    }
    return problems;
  }

  function focusFirstInvalid(): void {
    const invalid = FIELDS.map((name) => form.elements.namedItem(name)).find(
      (element): element is HTMLInputElement | HTMLSelectElement =>
        (element instanceof HTMLInputElement || element instanceof HTMLSelectElement) && element.getAttribute('aria-invalid') === 'true',
    );
    invalid?.focus();
  }

  function showServerRefusal(error: ApiError): void {
    const fieldErrors = error.fieldErrors();
    let placed = false;
    for (const name of FIELDS) {
      if (fieldErrors[name]) {
        showFieldError(name, translate(name, fieldErrors[name]));
        placed = true;
      }
    }
    const byCode = error.code ? messages.codes[error.code as keyof SignUpMessages['codes']] : undefined;
    showFormError(byCode ?? (placed ? messages.form : translate('', error.problem.detail ?? messages.client.unexpected)));
    if (placed) focusFirstInvalid();
    else formError?.focus();
  }

  let submitting = false;
  let leaving = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (submitting) return;
    void register();
  });

  async function register(): Promise<void> {
    submitting = true;
    const label = submit?.textContent ?? '';
    if (submit) {
      submit.disabled = true;
      submit.textContent = submit.dataset.submitting ?? label;
    }
    try {
      showFormError(null);
      const problems = localProblems();
      for (const name of ['company_name', 'admin_name', 'email', 'password'] as const) showFieldError(name, problems[name] ?? null);
      clearTimeout(checkTimer);
      const subdomainFree = await checkSubdomain();
      if (Object.keys(problems).length > 0 || !subdomainFree) {
        showFormError(messages.form);
        focusFirstInvalid();
        return;
      }
      const result = await unwrap(
        api.POST('/api/v1/auth/register', {
          body: {
            company_name: company.value.trim(),
            admin_name: adminName.value.trim(),
            email: email.value.trim(),
            password: password.value,
            subdomain: subdomain.value.trim() || null,
            currency: select('currency').value,
            locale: select('locale').value,
            time_zone: select('time_zone').value,
          },
        }),
      );
      leaving = true;
      window.location.assign(result.handoff_url);
    } catch (error) {
      if (error instanceof ApiError) showServerRefusal(error);
      else showFormError(isNetworkError(error) ? messages.client.network : messages.client.unexpected);
    } finally {
      submitting = leaving;
      if (submit && !leaving) {
        submit.disabled = false;
        submit.textContent = label;
      }
    }
  }
}
