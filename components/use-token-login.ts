'use client';

import { type FormEvent, useState } from 'react';
import { ApiFailure, api } from './api';

/**
 * A token login form (booth and admin): POST /api/auth/login sets the cookie. `onLogin` gets the
 * role the token carries and returns an error code to show when that role will not do.
 */
export function useTokenLogin(onLogin: (role: string) => string | undefined) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ role: string }>('/api/auth/login', {
        method: 'POST',
        body: { token: token.trim() },
      });
      const refused = onLogin(r.role);
      if (refused) setError(refused);
    } catch (err) {
      setError(err instanceof ApiFailure ? err.code : 'network_error');
    } finally {
      setBusy(false);
    }
  };
  return { token, setToken, busy, error, submit };
}
