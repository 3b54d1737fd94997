/** Human-readable times for tooltips and markers: "5 minutes ago" and "2026-11-21 09:30 UTC". */

const UNITS: Array<{ unit: Intl.RelativeTimeFormatUnit; ms: number }> = [
  { unit: 'year', ms: 365 * 24 * 3600_000 },
  { unit: 'month', ms: 30 * 24 * 3600_000 },
  { unit: 'week', ms: 7 * 24 * 3600_000 },
  { unit: 'day', ms: 24 * 3600_000 },
  { unit: 'hour', ms: 3600_000 },
  { unit: 'minute', ms: 60_000 },
];

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

export function parseTime(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

/** "just now", "5 minutes ago", "yesterday", "in 2 hours" (clock skew); undefined for unparsable input. */
export function formatRelativeTime(iso: string | undefined, now: number): string | undefined {
  const at = parseTime(iso);
  if (at === undefined) return undefined;
  const delta = at - now;
  if (Math.abs(delta) < 60_000) return 'just now';
  for (const { unit, ms } of UNITS) {
    if (Math.abs(delta) >= ms) return relative.format(Math.round(delta / ms), unit);
  }
  return 'just now';
}

/** UTC with seconds, independent of the machine's locale so tooltips read the same everywhere. */
export function formatAbsoluteTime(iso: string | undefined): string | undefined {
  const at = parseTime(iso);
  if (at === undefined) return undefined;
  return `${new Date(at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC`;
}

/** "5 minutes ago (2026-11-21 09:30:00 UTC)", or the raw text when it is not a time. */
export function formatTimeBoth(iso: string | undefined, now: number): string | undefined {
  const rel = formatRelativeTime(iso, now);
  const abs = formatAbsoluteTime(iso);
  if (!rel || !abs) return iso || undefined;
  return `${rel} (${abs})`;
}
