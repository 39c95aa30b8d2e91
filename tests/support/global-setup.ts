/** Nothing global to start: handler tests run in-process, server tests start their own server. */
export default function setup() {
  process.env.NEXT_TELEMETRY_DISABLED = '1';
}
