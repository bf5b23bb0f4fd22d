// Nunjucks set-up: feature views, shared templates and nhsuk-frontend's macros.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { formatDateTime, formatCivilDate } from '../dates.js';
import { formatPounds, isPence } from '../money.js';

const here = dirname(fileURLToPath(import.meta.url));
const markSafe = (s: string) => new nunjucks.runtime.SafeString(s);
export const SRC_DIR = join(here, '..', '..');
const require = createRequire(import.meta.url);
/** node_modules/nhsuk-frontend/dist: holds nhsuk/components/... and nhsuk/template.njk */
export const NHSUK_DIST = join(dirname(require.resolve('nhsuk-frontend/package.json')), 'dist');

export function createViews(options: { noCache?: boolean } = {}): nunjucks.Environment {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader(
      [join(SRC_DIR, 'features'), join(here, 'templates'), NHSUK_DIST],
      { watch: false, noCache: options.noCache ?? false },
    ),
    { autoescape: true, throwOnUndefined: false },
  );
  env.addFilter('civilDate', (v: unknown) => (typeof v === 'string' ? formatCivilDate(v) : ''));
  env.addFilter('dateTime', (v: unknown) =>
    v instanceof Date || typeof v === 'string' ? formatDateTime(new Date(v)) : '',
  );
  env.addFilter('nhsNumber', (v: unknown) =>
    typeof v === 'string' && v.length === 10
      ? `${v.slice(0, 3)} ${v.slice(3, 6)} ${v.slice(6)}`
      : '',
  );
  // Whole pence as pounds: 123456 → '£1,234.56'. Anything that is not pence shows as nothing.
  env.addFilter('pounds', (v: unknown) => (isPence(v) ? formatPounds(v) : ''));
  // Nunjucks' own `trim` is a regular expression (/^\s*|\s*$/g) that the NHS.UK macros run over
  // whole blocks of HTML: about 6 % of a list page's CPU. String.prototype.trim strips the same
  // characters (WhiteSpace and LineTerminator), natively. Safe (already escaped) text stays safe.
  env.addFilter('trim', (v: unknown) => {
    if (v instanceof nunjucks.runtime.SafeString) return markSafe(v.toString().trim());
    if (typeof v === 'string') return v.trim();
    return typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
  });
  return env;
}
