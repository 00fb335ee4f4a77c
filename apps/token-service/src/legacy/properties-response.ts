const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** Java's Date#toString in UTC, as the legacy API's comment line shows it: `Wed Feb 29 03:07:33 UTC 2012`. */
export function javaDate(date: Date): string {
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(
    date.getUTCMinutes(),
  )}:${pad(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`;
}

/** A Java-properties body: `#`, `#<date>`, then `KEY=value` lines, as old authtoken clients parse it. */
export function propertiesBody(fields: [string, string][], now = new Date()): string {
  return ['#', `#${javaDate(now)}`, ...fields.map(([k, v]) => `${k}=${v}`)].join('\n') + '\n';
}

export const legacySuccess = (authtoken: string) =>
  propertiesBody([
    ['AUTHTOKEN', authtoken],
    ['RESULT', 'TRUE'],
  ]);
export const legacyFailure = (cause: string) =>
  propertiesBody([
    ['CAUSE', cause],
    ['RESULT', 'FALSE'],
  ]);
