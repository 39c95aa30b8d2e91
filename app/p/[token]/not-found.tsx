import { PictureGone } from './picture-notice';

export default function PictureNotFound() {
  return <PictureGone reason="notFound" />;
}
