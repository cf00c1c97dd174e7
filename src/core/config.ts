import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  smtpPort: number;
  llm?: { baseUrl: string; apiKey?: string; model?: string; timeoutMs?: number };
  translateProvider: 'none' | 'libretranslate' | 'deepl' | 'llm';
  /** Settings of the translation providers (src/translation); only the chosen provider's matter. */
  translation?: TranslationSettings;
  /** Cookies marked Secure (behind HTTPS). Off for localhost. */
  secureCookies: boolean;
  logLevel: string;
  /**
   * Base of links that leave the app (survey pages, customers' return-label links), without a
   * trailing slash: PUBLIC_URL, default http://localhost:PORT.
   */
  publicUrl: string;
  /** CROSSDESK_SECRET_KEY: encrypts mailbox passwords and signs public links; the same on every node. */
  secretKey?: string;
}

export interface TranslationSettings {
  libretranslateUrl?: string;
  libretranslateApiKey?: string;
  deeplApiKey?: string;
  /** Defaults to https://api-free.deepl.com for keys ending in ":fx", else https://api.deepl.com. */
  deeplApiUrl?: string;
  /** Per request; default 20 s (60 s for the llm provider). */
  timeoutMs?: number;
}

export interface ConfigFlags {
  port?: string | number;
  host?: string;
  data?: string;
  databaseUrl?: string;
  redisUrl?: string;
  smtpPort?: string | number;
}

function intOr(value: string | number | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number (0-65535), got "${value}"`);
  return n;
}

function msOr(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive number of milliseconds, got "${value}"`);
  return n;
}

/** PUBLIC_URL: an absolute http(s) URL; the trailing slash is dropped. */
function publicUrlOr(value: string | undefined, port: number): string {
  if (value === undefined || value.trim() === '') return `http://localhost:${port}`;
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    throw new Error(`PUBLIC_URL must be an absolute http(s) URL such as https://help.shop.example, got "${value}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`PUBLIC_URL must start with http:// or https://, got "${value}"`);
  if (u.search || u.hash) throw new Error(`PUBLIC_URL must not have a query or fragment, got "${value}"`);
  return u.toString().replace(/\/+$/, '');
}

/** Flags win over environment variables, which win over defaults (DESIGN.md, Configuration). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, flags: ConfigFlags = {}): Config {
  const provider = (env.TRANSLATE_PROVIDER ?? 'none').toLowerCase();
  if (!['none', 'libretranslate', 'deepl', 'llm'].includes(provider)) {
    throw new Error(`TRANSLATE_PROVIDER must be one of none, libretranslate, deepl, llm; got "${provider}"`);
  }
  const port = intOr(flags.port ?? env.PORT, 3000, 'PORT');
  return {
    port,
    host: flags.host ?? env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(flags.data ?? env.DATA_DIR ?? './data'),
    databaseUrl: flags.databaseUrl ?? (env.DATABASE_URL || undefined),
    redisUrl: flags.redisUrl ?? (env.REDIS_URL || undefined),
    smtpPort: intOr(flags.smtpPort ?? env.SMTP_PORT, 2525, 'SMTP_PORT'),
    llm: env.LLM_BASE_URL
      ? {
          baseUrl: env.LLM_BASE_URL,
          apiKey: env.LLM_API_KEY || undefined,
          model: env.LLM_MODEL || undefined,
          timeoutMs: msOr(env.LLM_TIMEOUT_MS, 'LLM_TIMEOUT_MS'),
        }
      : undefined,
    translateProvider: provider as Config['translateProvider'],
    translation: {
      libretranslateUrl: env.LIBRETRANSLATE_URL || undefined,
      libretranslateApiKey: env.LIBRETRANSLATE_API_KEY || undefined,
      deeplApiKey: env.DEEPL_API_KEY || undefined,
      deeplApiUrl: env.DEEPL_API_URL || undefined,
      timeoutMs: msOr(env.TRANSLATE_TIMEOUT_MS, 'TRANSLATE_TIMEOUT_MS'),
    },
    secureCookies: env.SECURE_COOKIES === '1' || env.SECURE_COOKIES === 'true',
    logLevel: env.LOG_LEVEL ?? 'info',
    publicUrl: publicUrlOr(env.PUBLIC_URL, port),
    secretKey: env.CROSSDESK_SECRET_KEY || undefined,
  };
}
