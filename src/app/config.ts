// The only reader of process.env. Parsed once at start-up; every bad key is listed.
import { z } from 'zod';

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  SESSION_SECRET: z.string().min(32).optional(),
  SESSION_HOURS: z.coerce.number().int().min(1).max(24).default(8),
  SECURE_COOKIES: boolish.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  LOGIN_LOCKOUT_MINUTES: z.coerce.number().int().min(1).default(15),
  SIGN_IN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  BREAK_GLASS_HOURS: z.coerce.number().int().min(1).max(72).default(12),
  DAILY_JOBS: z.enum(['on', 'off']).default('on'),
});

export interface Config {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  sessionSecret: string;
  sessionHours: number;
  secureCookies: boolean;
  logLevel: string;
  bodyLimitBytes: number;
  loginMaxFailures: number;
  loginLockoutMinutes: number;
  breakGlassHours: number;
  signInRateLimitPerMinute: number;
  /** Requests a minute one API client (or user, or address) may make to /api/. */
  apiRateLimitPerMinute: number;
  /** `pooled serve` runs the daily jobs (monitoring) itself (decision 0020). */
  dailyJobs: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DEV_SECRET = 'development-only-session-secret-change-me-please';

/** Parse an environment (default: process.env). Throws ConfigError listing every bad key. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = ConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  const c = parsed.data;
  if (c.NODE_ENV === 'production' && c.SESSION_SECRET === undefined) {
    throw new ConfigError(['SESSION_SECRET: required in production (at least 32 characters)']);
  }
  return {
    env: c.NODE_ENV,
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    dataDir: c.DATA_DIR,
    sessionSecret: c.SESSION_SECRET ?? DEV_SECRET,
    sessionHours: c.SESSION_HOURS,
    secureCookies: c.SECURE_COOKIES ?? true,
    logLevel: c.LOG_LEVEL,
    bodyLimitBytes: c.BODY_LIMIT_BYTES,
    loginMaxFailures: c.LOGIN_MAX_FAILURES,
    loginLockoutMinutes: c.LOGIN_LOCKOUT_MINUTES,
    breakGlassHours: c.BREAK_GLASS_HOURS,
    signInRateLimitPerMinute: c.SIGN_IN_RATE_LIMIT_PER_MINUTE,
    apiRateLimitPerMinute: c.API_RATE_LIMIT_PER_MINUTE,
    dailyJobs: c.DAILY_JOBS === 'on',
  };
}
