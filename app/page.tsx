import Link from 'next/link';

export default function Home() {
  return (
    <main className="mx-auto flex min-h-dvh max-w-xl flex-col items-center justify-center gap-6 p-8 text-center">
      <h1 className="text-4xl font-bold">Photobooth</h1>
      <nav className="flex gap-4">
        <Link className="rounded-xl bg-white px-6 py-3 font-semibold text-neutral-900" href="/booth">Booth</Link>
        <Link className="rounded-xl border border-white px-6 py-3 font-semibold" href="/admin">Admin</Link>
      </nav>
    </main>
  );
}
