/**
 * The SENTENCEKIT_* variables lib reads, read here and nowhere else, once, on first use. Native
 * code reads its own in one place too (native/core/config.cc); runtimeInfo().environment reports
 * both, and README.md's "Environment variables" table lists them.
 */
export interface LibConfig {
  /** SENTENCEKIT_NATIVE: an addon file to load before build/Release, prebuilds/ and the platform package. */
  native?: string;
}

let config: { values: LibConfig; set: Record<string, string> } | undefined;

function read(): { values: LibConfig; set: Record<string, string> } {
  if (config) return config;
  const set: Record<string, string> = {};
  const value = (name: string): string | undefined => {
    const raw = process.env[name];
    if (raw !== undefined) set[name] = raw;
    return raw === '' ? undefined : raw;
  };
  config = { values: { native: value('SENTENCEKIT_NATIVE') }, set };
  return config;
}

export function libConfig(): LibConfig {
  return read().values;
}

/** lib's variables as set in the environment (unset ones left out). */
export function libEnvironment(): Record<string, string> {
  return { ...read().set };
}
