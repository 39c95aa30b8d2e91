import type { ComponentProps } from 'react';

/**
 * The app's buttons, one look per role. Booth looks are for its dark touch screen (every booth
 * size is at least 64 px high); `dark` / `darkOutline` are for the light guest, admin and error
 * pages. No hooks, no 'use client': Server and Client Components alike can use it, and links
 * styled as buttons take `buttonClass`.
 */
const VARIANTS = {
  /** Booth: the main action. */
  primary: 'bg-amber-400 font-bold text-neutral-950 disabled:bg-neutral-700 disabled:text-neutral-400',
  /** Booth: the camera's main action. */
  camera: 'bg-sky-400 font-bold text-neutral-950 disabled:bg-neutral-700 disabled:text-neutral-400',
  /** Booth: a secondary action. */
  outline: 'border-2 border-neutral-500 font-semibold disabled:opacity-40',
  /** Booth: the camera's secondary action. */
  cameraOutline: 'border-2 border-sky-400 font-semibold disabled:opacity-40',
  /** Light pages: the main action. */
  dark: 'bg-neutral-900 font-bold text-white disabled:opacity-50',
  /** Light pages: a secondary action. */
  darkOutline: 'border-2 border-neutral-900 font-bold disabled:opacity-50',
  /** Admin table: an action on one row. */
  rowAction: 'border border-neutral-500 font-medium',
  /** Admin table: a destructive action on one row. */
  rowDanger: 'border border-red-700 font-medium text-red-800',
} as const;

const SIZES = {
  /** Booth: the main action of a screen. */
  xl: 'min-h-20 px-12 text-3xl',
  /** Booth: actions in a row. */
  lg: 'min-h-20 px-8 text-2xl',
  /** Booth: the footer. */
  md: 'min-h-16 px-6 text-xl',
  /** Guest phone. */
  phone: 'min-h-14 px-6 text-lg',
  /** Admin and error pages. */
  page: 'min-h-12 px-6',
  /** Small actions inside a list. */
  sm: 'min-h-11 px-5',
  /** Actions in a table row: still 44 px high for a finger. */
  row: 'min-h-11 px-3 text-sm',
} as const;

export type ButtonVariant = keyof typeof VARIANTS;
export type ButtonSize = keyof typeof SIZES;

export function buttonClass(variant: ButtonVariant, size: ButtonSize, className = ''): string {
  return `inline-flex items-center justify-center rounded-full text-center ${VARIANTS[variant]} ${SIZES[size]} ${className}`.trim();
}

export function Button({
  variant,
  size,
  className,
  type = 'button',
  ...props
}: ComponentProps<'button'> & { variant: ButtonVariant; size: ButtonSize }) {
  return <button type={type} className={buttonClass(variant, size, className)} {...props} />;
}
