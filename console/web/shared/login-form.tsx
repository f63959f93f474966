/**
 * The login form both consoles show until the server knows the person.
 * A wrong password (401) or too many attempts (429) shows the server's own
 * message; nothing about the password is kept after the call.
 */
import { useState } from 'preact/hooks';
import type { LoginRequest, SessionInfo } from '../../api';
import { api } from './api-client';

interface LoginFormProps {
  heading: string;
  onLoggedIn(session: SessionInfo): void;
}

export function LoginForm({ heading, onLoggedIn }: LoginFormProps) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: LoginRequest = { user, password };
      const session = await api.post<SessionInfo>('/api/login', body, { unauthorizedIsAnswer: true });
      setPassword('');
      onLoggedIn(session);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <main class="login-page">
      <form class="card login-card" data-testid="login-form" onSubmit={submit}>
        <h1 class="login-heading">{heading}</h1>
        <p class="muted">Sign in to continue.</p>
        <label class="field">
          <span>User</span>
          <input
            data-testid="login-user"
            name="user"
            autocomplete="username"
            required
            value={user}
            onInput={(e) => setUser(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>Password</span>
          <input
            data-testid="login-password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {error !== null && (
          <p class="form-error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button class="button primary" type="submit" data-testid="login-submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
