'use client';

import type { FormEvent } from 'react';
import { Button } from '@/components/button';

/** "A name, then a button": how the admin adds an event or a booth. */
export function NameForm({
  label,
  placeholder,
  action,
  maxLength,
  value,
  onChange,
  onSubmit,
  className,
}: {
  label: string;
  placeholder: string;
  action: string;
  maxLength: number;
  value: string;
  onChange: (value: string) => void;
  onSubmit: (e: FormEvent) => void;
  className: string;
}) {
  return (
    <form onSubmit={onSubmit} className={className}>
      <label className="flex flex-col gap-1 text-sm font-semibold">
        {label}
        <input
          className="min-h-11 rounded-lg border border-neutral-400 bg-white px-3 font-normal"
          value={value}
          maxLength={maxLength}
          placeholder={placeholder}
          onChange={(e) => onChange(e.target.value)}
        />
      </label>
      <Button variant="dark" size="sm" type="submit" disabled={!value.trim()}>
        {action}
      </Button>
    </form>
  );
}

/** A refusal from the server, above the list it concerns. */
export function ErrorNote({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="rounded-lg bg-red-100 px-4 py-3 text-sm text-red-900">
      {error}
    </p>
  );
}
