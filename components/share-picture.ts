/**
 * Share a picture from the browser: Web Share with the picture file where the device can share
 * files (`navigator.canShare({ files })`), else Web Share of its take-home link, else the link
 * copied to the clipboard. Browser only (no React): the caller shows the outcome.
 */
export type ShareOutcome = 'shared' | 'copied' | 'cancelled' | 'shareFailed' | 'copyFailed';

export interface ShareablePicture {
  /** The image (same origin), fetched and shared as a file. */
  image_url: string;
  /** The take-home link, shared or copied when the file cannot be. */
  url: string;
}

/** Whether this browser has Web Share at all (else Share copies the link). */
export function canWebShare(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.share === 'function';
}

/** The picture as a File, ready for `navigator.share({ files })`; null when it cannot be had. */
export async function pictureFile(imageUrl: string, name = 'photobooth-picture.jpg'): Promise<File | null> {
  try {
    const res = await fetch(imageUrl);
    if (!res.ok) return null;
    const blob = await res.blob();
    return new File([blob], name, { type: blob.type || 'image/jpeg' });
  } catch {
    return null;
  }
}

const isAbort = (err: unknown) => (err as DOMException)?.name === 'AbortError';

/**
 * `file`: the picture fetched ahead (a full image can take longer than the click's user
 * activation lasts), or undefined to fetch it now.
 */
export async function sharePicture(
  picture: ShareablePicture,
  opts: { title: string; text?: string; file?: File | null },
): Promise<ShareOutcome> {
  if (!canWebShare()) {
    try {
      await navigator.clipboard.writeText(picture.url);
      return 'copied';
    } catch {
      return 'copyFailed';
    }
  }
  const file = opts.file === undefined ? await pictureFile(picture.image_url) : opts.file;
  try {
    if (file && navigator.canShare?.({ files: [file] })) {
      await navigator.share({ files: [file], title: opts.title, text: opts.text });
    } else {
      await navigator.share({ url: picture.url, title: opts.title, text: opts.text });
    }
    return 'shared';
  } catch (err) {
    return isAbort(err) ? 'cancelled' : 'shareFailed';
  }
}
