/** Vietnam has kept UTC+7 without daylight saving since 1975, so one fixed offset is exact. */
export const VN_OFFSET = '+07:00';

const display = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** "29/09/2025 08:00:01", in Vietnam time. */
export function formatVnTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : display.format(d).replace(',', '');
}

/** Today's date in Vietnam, YYYY-MM-DD. */
export function vnDate(now: Date): string {
  return new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}
