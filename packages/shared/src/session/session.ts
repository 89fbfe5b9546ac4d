/**
 * The browser session of one shop (tenant host): sign in, refresh, sign out, over the cookie
 * endpoints `/api/v1/auth/session*`. One `SessionCoordinator` per page, wired to the Web Locks
 * API and a BroadcastChannel, and plugged into the API client as its token source.
 */
import { useSyncExternalStore } from 'react';
import { api, setTokenSource, type Schemas } from '../api/client';
import { ApiError, problemFromBody } from '../api/problem';
import {
  CHANNEL_NAME,
  SessionCoordinator,
  type ChannelLike,
  type LockManagerLike,
  type SessionTokens,
} from './coordinator';

/** Sent on the cookie endpoints that change state; the server refuses them without it (CSRF). */
export const CSRF_HEADER = 'X-Orbit-CSRF' as const;

type SessionRead = Schemas['SessionRead'];

function toTokens(read: SessionRead): SessionTokens {
  return {
    accessToken: read.access_token,
    expiresAt: Date.now() + read.expires_in * 1000,
    user: read.user,
  };
}

async function refreshRequest(): Promise<SessionTokens | null> {
  const { data, error, response } = await api.POST('/api/v1/auth/session/refresh', {
    params: { header: { [CSRF_HEADER]: '1' } },
    credentials: 'same-origin',
  });
  if (data) return toTokens(data);
  if (response.status === 401 || response.status === 403) return null;
  throw new ApiError(problemFromBody(error, response));
}

function browserChannel(): ChannelLike | null {
  return typeof BroadcastChannel === 'undefined' ? null : (new BroadcastChannel(CHANNEL_NAME) as ChannelLike);
}

function browserLocks(): LockManagerLike | null {
  const locks = globalThis.navigator?.locks;
  return locks ? (locks as unknown as LockManagerLike) : null;
}

export const session = new SessionCoordinator({ refreshRequest, locks: browserLocks(), channel: browserChannel() });

setTokenSource({
  accessToken: () => session.current?.accessToken ?? null,
  renew: async () => (await session.refresh())?.accessToken ?? null,
});

let refreshTimer: ReturnType<typeof setTimeout> | undefined;

/** Keep the access token fresh while the page is open: refresh at about 80 % of its life. */
session.subscribe((tokens) => {
  clearTimeout(refreshTimer);
  if (!tokens) return;
  const lifetime = tokens.expiresAt - Date.now();
  refreshTimer = setTimeout(() => void session.refresh().catch(() => undefined), Math.max(5_000, lifetime * 0.8));
});

/** Sign in with email and password; throws `ApiError` (401 wrong credentials, 429 throttled). */
export async function signIn(email: string, password: string): Promise<SessionTokens> {
  const tokens = toTokens(
    await session.exclusive(async () => {
      const { data, error, response } = await api.POST('/api/v1/auth/session', {
        body: { email, password },
        credentials: 'same-origin',
      });
      // openapi-fetch has read the body already: the problem document is its parsed `error`.
      if (!data) throw new ApiError(problemFromBody(error, response));
      return data;
    }),
  );
  session.signedIn(tokens);
  return tokens;
}

/**
 * Sign in with the one-time hand-over code a registration on the landing site made (the
 * `/auth/handoff?code=…` page); throws `ApiError` (401 `handoff_invalid`: used, expired or
 * another shop's code).
 */
export async function exchangeHandoff(code: string): Promise<SessionTokens> {
  const tokens = toTokens(
    await session.exclusive(async () => {
      const { data, error, response } = await api.POST('/api/v1/auth/session/handoff', {
        params: { header: { [CSRF_HEADER]: '1' } },
        body: { code },
        credentials: 'same-origin',
      });
      // openapi-fetch has read the body already: the problem document is its parsed `error`.
      if (!data) throw new ApiError(problemFromBody(error, response));
      return data;
    }),
  );
  session.signedIn(tokens);
  return tokens;
}

/** Restore the session on page load from the refresh cookie (null when there is none). */
export async function restoreSession(): Promise<SessionTokens | null> {
  if (session.isFresh()) return session.current;
  return session.refresh();
}

/** End the session on the server and in every tab. */
export async function signOut(): Promise<void> {
  try {
    await session.exclusive(() =>
      api.POST('/api/v1/auth/session/logout', { params: { header: { [CSRF_HEADER]: '1' } }, credentials: 'same-origin' }),
    );
  } finally {
    session.signedOut();
  }
}

/** The current session for React components; re-renders on sign-in, refresh and sign-out. */
export function useSession(): SessionTokens | null {
  return useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.current,
    () => null,
  );
}
