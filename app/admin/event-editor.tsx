'use client';

import { useTranslations } from 'next-intl';
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { ApiFailure, api } from '@/components/api';
import { Button } from '@/components/button';
import { LAYOUTS, type Layout } from '@/lib/shared/session';
import { type EventJson, failureMessage, fetchPreview, uploadFrame } from './admin-events-api';

const LOCALES = ['en', 'ru'] as const;
const PREVIEW_DEBOUNCE_MS = 300;

/** The form's values: what the inputs hold, as strings and booleans. */
interface Draft {
  name: string;
  caption: string;
  locale: string;
  background: string;
  text: string;
  accent: string;
  layouts: Layout[];
  max_photos: string;
  ready_at: string;
  session_ttl_minutes: string;
  retention_days: string;
  print_qr: boolean;
  slideshow_qr: boolean;
  ssid: string;
  password: string;
  consent_text: string;
  starts_at: string;
  ends_at: string;
}

/** An ISO instant as the value of a datetime-local input (the admin's own time zone). */
function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

function draftOf(e: EventJson): Draft {
  return {
    name: e.name,
    caption: e.caption ?? '',
    locale: e.locale,
    background: e.theme.background,
    text: e.theme.text,
    accent: e.theme.accent,
    layouts: e.layouts,
    max_photos: String(e.max_photos),
    ready_at: String(e.ready_at),
    session_ttl_minutes: String(e.session_ttl_minutes),
    retention_days: String(e.retention_days),
    print_qr: e.print_qr,
    slideshow_qr: e.slideshow_qr,
    ssid: e.wifi?.ssid ?? '',
    password: e.wifi?.password ?? '',
    consent_text: e.consent_text ?? '',
    starts_at: toLocalInput(e.starts_at),
    ends_at: toLocalInput(e.ends_at),
  };
}

/** A number input's value for the API: not a number stays as it is, so the server names it. */
function num(v: string): number | string {
  const n = Number(v);
  return v.trim() === '' || Number.isNaN(n) ? v : n;
}

function bodyOf(d: Draft) {
  return {
    name: d.name,
    caption: d.caption,
    locale: d.locale,
    theme: { background: d.background, text: d.text, accent: d.accent },
    layouts: LAYOUTS.filter((l) => d.layouts.includes(l)),
    max_photos: num(d.max_photos),
    ready_at: num(d.ready_at),
    session_ttl_minutes: num(d.session_ttl_minutes),
    retention_days: num(d.retention_days),
    print_qr: d.print_qr,
    slideshow_qr: d.slideshow_qr,
    wifi: d.ssid.trim() ? { ssid: d.ssid.trim(), password: d.password } : null,
    consent_text: d.consent_text,
    starts_at: fromLocalInput(d.starts_at),
    ends_at: fromLocalInput(d.ends_at),
  };
}

const FIELDS: readonly (keyof Draft)[] = [
  'name',
  'caption',
  'locale',
  'background',
  'text',
  'accent',
  'layouts',
  'max_photos',
  'ready_at',
  'session_ttl_minutes',
  'retention_days',
  'print_qr',
  'slideshow_qr',
  'ssid',
  'password',
  'consent_text',
  'starts_at',
  'ends_at',
];

/** Which form field a server message names: `"theme.accent": …` → accent, `"wifi.ssid"` → ssid. */
function fieldOf(message: string): keyof Draft | null {
  const path = /^(?:Unknown field )?"([a-z_.]+)"/.exec(message)?.[1];
  if (!path) return null;
  const [head, tail] = path.split('.');
  const field =
    head === 'theme' ? tail : head === 'wifi' ? (tail === 'password' ? 'password' : 'ssid') : head;
  return FIELDS.find((f) => f === field) ?? null;
}

const inputClass = 'min-h-11 rounded-lg border border-neutral-400 bg-white px-3 font-normal';

function Field({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  error?: string | null;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className="flex flex-col gap-1 text-sm">
      <label htmlFor={id} className="font-semibold">
        {label}
      </label>
      {children}
      {hint && <span className="text-neutral-600">{hint}</span>}
      {error && (
        <span id={`${id}-error`} role="alert" className="font-medium text-red-800">
          {error}
        </span>
      )}
    </div>
  );
}

/** The live preview: the event's template rendered by the server with sample photos. */
function Preview({
  event,
  caption,
  version,
}: {
  event: EventJson;
  caption: string;
  /** Bumped after a save or a frame change: the saved template changed. */
  version: number;
}) {
  const t = useTranslations('adminEvents');
  const [layout, setLayout] = useState<Layout>(event.layouts[0] ?? 'grid');
  const [url, setUrl] = useState<string | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<string | null>(null);
  const shown = event.layouts.includes(layout) ? layout : (event.layouts[0] ?? 'grid');

  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the trigger after a save
  useEffect(() => {
    const ctrl = new AbortController();
    setState('loading');
    const timer = setTimeout(() => {
      fetchPreview(event.id, shown, caption, ctrl.signal)
        .then((blob) => {
          if (ctrl.signal.aborted) return;
          setUrl(URL.createObjectURL(blob));
          setState('ready');
          setError(null);
        })
        .catch((err: unknown) => {
          if (ctrl.signal.aborted) return;
          setState('error');
          setError(failureMessage(err));
        });
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [event.id, shown, caption, version]);

  // The previous picture's object URL is let go as soon as a new one replaces it.
  useEffect(() => {
    if (!url) return;
    return () => URL.revokeObjectURL(url);
  }, [url]);

  return (
    <section aria-labelledby="preview-title" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id="preview-title" className="text-lg font-bold">
          {t('previewTitle')}
        </h3>
        <fieldset className="flex gap-1" aria-label={t('previewLayout')}>
          {event.layouts.map((l) => (
            <button
              key={l}
              type="button"
              aria-pressed={shown === l}
              onClick={() => setLayout(l)}
              className={`min-h-11 rounded-full border px-4 text-sm font-semibold ${
                shown === l ? 'border-neutral-900 bg-neutral-900 text-white' : 'border-neutral-400 bg-white'
              }`}
            >
              {t(`layout.${l}`)}
            </button>
          ))}
        </fieldset>
      </div>
      <div className="relative flex min-h-64 items-center justify-center overflow-hidden rounded-xl border border-neutral-300 bg-neutral-200">
        {url && (
          // biome-ignore lint/performance/noImgElement: a blob URL of the server's render
          <img
            src={url}
            alt={t('previewAlt', { layout: t(`layout.${shown}`) })}
            className={`max-h-[32rem] w-full object-contain transition-opacity ${state === 'loading' ? 'opacity-50' : ''}`}
          />
        )}
        {state === 'loading' && (
          <span
            role="status"
            className="absolute rounded-full bg-white/90 px-4 py-2 text-sm font-semibold shadow"
          >
            {t('previewLoading')}
          </span>
        )}
      </div>
      {state === 'error' && (
        <p role="alert" className="rounded-lg bg-red-100 px-4 py-3 text-sm text-red-900">
          {t('previewError', { message: error ?? '' })}
        </p>
      )}
      <p className="text-sm text-neutral-600">{t('previewNote')}</p>
    </section>
  );
}

/** The overlay frame: upload (PNG/WebP with transparency), state, remove. */
function FrameControl({ event, onChanged }: { event: EventJson; onChanged: (e: EventJson) => void }) {
  const t = useTranslations('adminEvents');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const run = async (fn: () => Promise<EventJson>) => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await fn());
    } catch (err) {
      setError(failureMessage(err));
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };

  return (
    <section
      aria-labelledby="frame-title"
      className="flex flex-col gap-2 rounded-xl border border-neutral-300 p-4"
    >
      <h3 id="frame-title" className="text-lg font-bold">
        {t('frameTitle')}
      </h3>
      <p role="status" className={event.has_frame ? 'font-semibold text-emerald-800' : 'text-neutral-600'}>
        {busy ? t('frameUploading') : event.has_frame ? t('frameSet') : t('frameNone')}
      </p>
      <label htmlFor="frame-file" className="text-sm font-semibold">
        {event.has_frame ? t('frameReplace') : t('frameUpload')}
      </label>
      <input
        ref={input}
        id="frame-file"
        type="file"
        accept="image/png,image/webp"
        disabled={busy}
        className="text-sm file:mr-3 file:min-h-11 file:rounded-full file:border file:border-neutral-500 file:bg-white file:px-4 file:font-medium"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void run(() => uploadFrame(event.id, file));
        }}
      />
      <p className="text-sm text-neutral-600">{t('frameHint')}</p>
      {event.has_frame && (
        <Button
          variant="rowDanger"
          size="row"
          className="self-start"
          disabled={busy}
          onClick={() =>
            run(
              async () =>
                (await api<{ event: EventJson }>(`/api/events/${event.id}/frame`, { method: 'DELETE' }))
                  .event,
            )
          }
        >
          {t('frameRemove')}
        </Button>
      )}
      {error && (
        <p role="alert" className="rounded-lg bg-red-100 px-4 py-3 text-sm text-red-900">
          {error}
        </p>
      )}
    </section>
  );
}

export function EventEditor({
  event,
  onSaved,
  onDeleted,
}: {
  event: EventJson;
  onSaved: (e: EventJson) => void;
  onDeleted: (id: string) => void;
}) {
  const t = useTranslations('adminEvents');
  const tShow = useTranslations('adminSlideshow');
  const [draft, setDraft] = useState<Draft>(() => draftOf(event));
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<{ field: keyof Draft; message: string } | null>(null);
  const [version, setVersion] = useState(0);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setSaved(false);
    // The message was about the old value: it goes once the field is changed.
    setFieldError((f) => (f?.field === key ? null : f));
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setFormError(null);
    setFieldError(null);
    setSaved(false);
    try {
      // Only what the operator changed: an event whose stored values the form cannot hold (a
      // default event made from the environment) can still be renamed.
      const before = bodyOf(draftOf(event)) as Record<string, unknown>;
      const changed = Object.fromEntries(
        Object.entries(bodyOf(draft)).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k])),
      );
      const r = await api<{ event: EventJson }>(`/api/events/${event.id}`, {
        method: 'PUT',
        body: changed,
      });
      onSaved(r.event);
      setDraft(draftOf(r.event));
      setVersion((v) => v + 1);
      setSaved(true);
    } catch (err) {
      const message = failureMessage(err);
      const field = err instanceof ApiFailure && err.code === 'invalid_event' ? fieldOf(message) : null;
      if (field) setFieldError({ field, message });
      else setFormError(message);
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (!window.confirm(t('deleteConfirm', { name: event.name }))) return;
    try {
      await api(`/api/events/${event.id}`, { method: 'DELETE' });
      onDeleted(event.id);
    } catch (err) {
      setFormError(failureMessage(err));
    }
  };

  const errorOf = (field: keyof Draft) => (fieldError?.field === field ? fieldError.message : null);
  const described = (field: keyof Draft) =>
    fieldError?.field === field ? { 'aria-describedby': `ev-${field}-error`, 'aria-invalid': true } : {};
  const text = (field: keyof Draft, label: string, props: Record<string, unknown> = {}) => (
    <Field id={`ev-${field}`} label={label} error={errorOf(field)}>
      <input
        id={`ev-${field}`}
        className={inputClass}
        value={draft[field] as string}
        onChange={(e) => set(field, e.target.value as never)}
        {...described(field)}
        {...props}
      />
    </Field>
  );

  return (
    <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
      <form
        noValidate
        onSubmit={save}
        aria-label={t('editorLabel', { name: event.name })}
        className="flex flex-col gap-4"
      >
        {formError && (
          <p role="alert" className="rounded-lg bg-red-100 px-4 py-3 text-red-900">
            {formError}
          </p>
        )}
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
          {text('name', t('name'), { maxLength: 120 })}
          {text('caption', t('caption'), { maxLength: 80, placeholder: t('captionPlaceholder') })}
          <Field id="ev-locale" label={t('locale')} error={errorOf('locale')}>
            <select
              id="ev-locale"
              className={inputClass}
              value={draft.locale}
              onChange={(e) => set('locale', e.target.value)}
            >
              {LOCALES.map((l) => (
                <option key={l} value={l}>
                  {t(`localeName.${l}`)}
                </option>
              ))}
            </select>
          </Field>
          <fieldset className="flex flex-col gap-1 text-sm">
            <legend className="font-semibold">{t('theme')}</legend>
            <div className="flex flex-wrap gap-4 pt-1">
              {(['background', 'text', 'accent'] as const).map((c) => (
                <label key={c} className="flex items-center gap-2">
                  <input
                    type="color"
                    className="h-11 w-14 cursor-pointer rounded border border-neutral-400 bg-white p-1"
                    value={draft[c]}
                    onChange={(e) => set(c, e.target.value)}
                    aria-label={t(`colour.${c}`)}
                    {...described(c)}
                  />
                  <span>{t(`colour.${c}`)}</span>
                </label>
              ))}
            </div>
            {(['background', 'text', 'accent'] as const).map(
              (c) =>
                errorOf(c) && (
                  <span key={c} id={`ev-${c}-error`} role="alert" className="font-medium text-red-800">
                    {errorOf(c)}
                  </span>
                ),
            )}
          </fieldset>
          <fieldset className="flex flex-col gap-1 text-sm sm:col-span-2">
            <legend className="font-semibold">{t('layouts')}</legend>
            <div className="flex flex-wrap gap-4 pt-1">
              {LAYOUTS.map((l) => (
                <label key={l} className="flex min-h-11 items-center gap-2">
                  <input
                    type="checkbox"
                    className="size-5"
                    checked={draft.layouts.includes(l)}
                    onChange={(e) =>
                      set(
                        'layouts',
                        e.target.checked ? [...draft.layouts, l] : draft.layouts.filter((x) => x !== l),
                      )
                    }
                  />
                  {t(`layout.${l}`)}
                </label>
              ))}
            </div>
            {errorOf('layouts') && (
              <span id="ev-layouts-error" role="alert" className="font-medium text-red-800">
                {errorOf('layouts')}
              </span>
            )}
          </fieldset>
          {text('max_photos', t('maxPhotos'), { type: 'number', inputMode: 'numeric', min: 1 })}
          {text('ready_at', t('readyAt'), { type: 'number', inputMode: 'numeric', min: 1 })}
          {text('session_ttl_minutes', t('ttl'), { type: 'number', inputMode: 'decimal', min: 1 })}
          {text('retention_days', t('retention'), { type: 'number', inputMode: 'numeric', min: 0 })}
          <label className="flex min-h-11 items-center gap-2 text-sm font-semibold sm:col-span-2">
            <input
              type="checkbox"
              className="size-5"
              checked={draft.print_qr}
              onChange={(e) => set('print_qr', e.target.checked)}
            />
            {t('printQr')}
          </label>
          <label className="flex min-h-11 items-center gap-2 text-sm font-semibold sm:col-span-2">
            <input
              type="checkbox"
              className="size-5"
              checked={draft.slideshow_qr}
              onChange={(e) => set('slideshow_qr', e.target.checked)}
            />
            {tShow('qrOption')}
          </label>
          {text('ssid', t('wifiSsid'), { maxLength: 32, autoComplete: 'off' })}
          {text('password', t('wifiPassword'), { maxLength: 63, autoComplete: 'off' })}
          <div className="sm:col-span-2">
            <Field
              id="ev-consent_text"
              label={t('consent')}
              error={errorOf('consent_text')}
              hint={t('consentHint')}
            >
              <textarea
                id="ev-consent_text"
                rows={3}
                className={`${inputClass} py-2`}
                value={draft.consent_text}
                onChange={(e) => set('consent_text', e.target.value)}
                {...described('consent_text')}
              />
            </Field>
          </div>
          {text('starts_at', t('startsAt'), { type: 'datetime-local' })}
          {text('ends_at', t('endsAt'), { type: 'datetime-local' })}
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <Button variant="dark" size="page" type="submit" disabled={saving}>
            {saving ? t('saving') : t('save')}
          </Button>
          {saved && (
            <span role="status" className="font-semibold text-emerald-800">
              {t('saved')}
            </span>
          )}
          {!event.is_default && (
            <Button variant="rowDanger" size="row" className="ml-auto" onClick={remove}>
              {t('delete')}
            </Button>
          )}
        </div>
      </form>
      <div className="flex flex-col gap-6">
        <Preview event={event} caption={draft.caption} version={version} />
        <FrameControl
          event={event}
          onChanged={(e) => {
            onSaved(e);
            setVersion((v) => v + 1);
          }}
        />
      </div>
    </div>
  );
}
