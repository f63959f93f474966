/**
 * What both consoles share around their content: ask the server who is
 * signed in, show the login form when nobody is, and once someone is, the
 * header, the live connection and the error banner. Any 401 from any call
 * lands back here and returns the page to the login form, without a reload.
 */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { ConsoleKind, SessionInfo } from '../../api';
import { api } from './api-client';
import { ApiFailure } from './api-failure';
import { ConsoleHeader } from './console-header';
import { ErrorBanner } from './error-banner';
import { LoginForm } from './login-form';
import { createLiveFeed, type LiveFeed } from './live-feed';
import { useLiveUpdates } from './use-live-updates';

/** What a console's own views get from the shell. */
export interface ConsoleContext {
  session: SessionInfo;
  live: LiveFeed;
  /** Show a failed call's message in the banner (a 401 is handled by the shell already). */
  reportError(err: unknown): void;
  /** Take the banner down once the person's next attempt worked, so an old message does not linger. */
  clearError(): void;
}

interface ConsoleShellProps {
  kind: ConsoleKind;
  children(context: ConsoleContext): ComponentChildren;
}

type SessionState = { phase: 'checking' } | { phase: 'signed-out'; problem: string | null } | { phase: 'signed-in'; session: SessionInfo };

const HEADINGS: Record<ConsoleKind, string> = {
  regulator: 'Shoal — regulator console',
  organisation: 'Shoal — organisation console',
};

export function ConsoleShell({ kind, children }: ConsoleShellProps) {
  const [state, setState] = useState<SessionState>({ phase: 'checking' });

  useEffect(() => {
    api.onUnauthorized(() => setState({ phase: 'signed-out', problem: null }));
    api
      .get<SessionInfo>('/api/session')
      .then((session) => setState({ phase: 'signed-in', session }))
      .catch((err: unknown) => {
        const problem = err instanceof ApiFailure && err.status === 401 ? null : messageOf(err);
        setState({ phase: 'signed-out', problem });
      });
  }, []);

  useEffect(() => {
    document.title = state.phase === 'signed-in' ? `${state.session.title} — Shoal` : HEADINGS[kind];
  }, [state, kind]);

  if (state.phase === 'checking') return <p class="page-loading muted">Loading…</p>;
  if (state.phase === 'signed-out') {
    return (
      <>
        {state.problem !== null && <ErrorBanner message={state.problem} onDismiss={() => setState({ phase: 'signed-out', problem: null })} />}
        <LoginForm heading={HEADINGS[kind]} onLoggedIn={(session) => setState({ phase: 'signed-in', session })} />
      </>
    );
  }
  return (
    <SignedIn session={state.session} onSignedOut={() => setState({ phase: 'signed-out', problem: null })}>
      {children}
    </SignedIn>
  );
}

interface SignedInProps {
  session: SessionInfo;
  onSignedOut(): void;
  children(context: ConsoleContext): ComponentChildren;
}

function SignedIn({ session, onSignedOut, children }: SignedInProps) {
  const live = useMemo(createLiveFeed, []);
  const status = useLiveUpdates(live);
  const [error, setError] = useState<string | null>(null);

  const reportError = useCallback((err: unknown) => {
    if (err instanceof ApiFailure && err.status === 401) return;
    setError(messageOf(err));
  }, []);

  const logout = async (): Promise<void> => {
    try {
      await api.post('/api/logout');
      onSignedOut();
    } catch (err) {
      reportError(err);
    }
  };

  const clearError = useCallback(() => setError(null), []);
  const context = useMemo<ConsoleContext>(() => ({ session, live, reportError, clearError }), [session, live, reportError, clearError]);

  return (
    <div class="console">
      <ConsoleHeader session={session} live={status} onLogout={logout} />
      {error !== null && <ErrorBanner message={error} onDismiss={() => setError(null)} />}
      <main class="console-body">{children(context)}</main>
    </div>
  );
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
