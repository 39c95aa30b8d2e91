/**
 * A page that no longer leads where the link promised (expired, unknown, deleted): an icon, a
 * title, what happened or what to do. Plain markup, no hooks, so server pages and live client
 * pages (the guest's session, the take-home picture) show the same thing.
 */
export function Notice({
  icon,
  title,
  body,
  alert = false,
}: {
  icon: string;
  title: string;
  body: string;
  /** Announce it: it replaced the page the guest was looking at. */
  alert?: boolean;
}) {
  return (
    <section
      role={alert ? 'alert' : undefined}
      className="flex flex-col items-center gap-4 py-16 text-center"
    >
      <p aria-hidden="true" className="text-6xl">
        {icon}
      </p>
      <h1 className="text-3xl font-bold">{title}</h1>
      <p className="text-lg text-neutral-700">{body}</p>
    </section>
  );
}
