import { useId, useState } from 'react';
import type { Whoami } from '../../../src/server/api-types.js';
import { login } from '../api.js';
import { ErrorBox } from '../components/common.js';

export function LoginPage({ onLogin }: { onLogin: (who: Whoami) => void }) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const id = useId();

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!token.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      const who = await login(token.trim());
      setToken('');
      onLogin(who);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="login" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>Lifeboat</h1>
      <p>
        Sign in with an API token (`lifeboat token create --role viewer|operator|approver|admin`).
      </p>
      <form onSubmit={(e) => void submit(e)} data-testid="login-form">
        <label htmlFor={`${id}-token`}>Token</label>
        <input
          id={`${id}-token`}
          name="token"
          type="password"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          data-testid="login-token"
          required
        />
        <button type="submit" disabled={busy || !token.trim()} data-testid="login-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {error ? <ErrorBox error={error} title="Sign-in refused" /> : null}
    </section>
  );
}
