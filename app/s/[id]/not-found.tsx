import { GuestGone } from './guest-notice';

export default function GuestNotFound() {
  return <GuestGone reason="deleted" />;
}
