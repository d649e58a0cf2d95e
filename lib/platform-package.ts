/**
 * Which @sentencekit/<platform> package holds this machine's addon, and the command that installs
 * it. The names follow Node's own process.platform and process.arch, plus the C library on
 * Linux (gnu / musl), as scripts/platforms.mjs builds them; the main package lists every one as
 * an optional dependency and the package manager installs the one whose os / cpu / libc fit.
 * Internal: not exported from the package entry point.
 */
import { existsSync } from 'node:fs';

/** The platforms packages are published for (scripts/platforms.mjs). */
export const PUBLISHED_PLATFORMS = [
  'linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl', 'linux-arm64-musl', 'darwin-arm64', 'darwin-x64', 'win32-x64',
] as const;

/** The opt-in package with the CUDA engine (libsentencekit_cuda.so) for linux-x64-gnu. */
export const CUDA_PACKAGE = '@sentencekit/linux-x64-gnu-cuda';

type Libc = 'gnu' | 'musl';

/**
 * glibc reports its version in Node's diagnostic report; musl does not. Where the report is
 * unavailable (some runtimes), musl's dynamic loader on disk decides.
 */
export function linuxLibc(): Libc {
  try {
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
    if (header && typeof header.glibcVersionRuntime === 'string') return 'gnu';
    if (header) return 'musl';
  } catch {
    // fall through to the loader check
  }
  const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  return existsSync(`/lib/ld-musl-${arch}.so.1`) ? 'musl' : 'gnu';
}

/** This machine's platform, named as the packages are: linux-x64-gnu, darwin-arm64, win32-x64, … */
export function runtimePlatform(): string {
  const base = `${process.platform}-${process.arch}`;
  return process.platform === 'linux' ? `${base}-${linuxLibc()}` : base;
}

export function platformPackageName(platform = runtimePlatform()): string {
  return `@sentencekit/${platform}`;
}

/** What the user runs when the platform package is missing: sharp's advice, in our names. */
export function installAdvice(platform = runtimePlatform()): string[] {
  if (!(PUBLISHED_PLATFORMS as readonly string[]).includes(platform)) {
    return [
      `No prebuilt package exists for ${platform}. Build from a git checkout of sentencekit:`,
      '    npm install && npm run build   (cmake >= 3.20, a C++17 compiler, libpcre2-dev; see the README)',
    ];
  }
  const [os, cpu, libc] = platform.split('-');
  return [
    'Make sure optional dependencies are installed (npm skips them with --omit=optional or --no-optional):',
    '    npm install --include=optional sentencekit',
    'Installing on another machine or OS than the one that runs it (a lockfile or node_modules copied across)? Add this platform:',
    `    npm install --os=${os} --cpu=${cpu}${libc ? ` --libc=${libc === 'gnu' ? 'glibc' : 'musl'}` : ''} sentencekit`,
    `or install the package directly: npm install ${platformPackageName(platform)}`,
  ];
}
