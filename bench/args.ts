// A tiny command-line reader for the bench entry points: `--name value`, `--name=value` and bare
// `--flag`. Unknown flags are an error, so a typo never silently runs the default benchmark.

export class ArgsError extends Error {}

export class BenchArgs {
  private readonly values = new Map<string, string | true>();

  constructor(argv: readonly string[], known: readonly string[]) {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i] as string;
      if (!arg.startsWith('--')) throw new ArgsError(`unexpected argument "${arg}"`);
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      if (!known.includes(name)) throw new ArgsError(`unknown flag --${name} (known: ${known.map((k) => `--${k}`).join(', ')})`);
      if (eq >= 0) {
        this.values.set(name, arg.slice(eq + 1));
        continue;
      }
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        this.values.set(name, next);
        i++;
      } else {
        this.values.set(name, true);
      }
    }
  }

  flag(name: string): boolean {
    return this.values.has(name);
  }

  string(name: string, fallback: string): string {
    const v = this.values.get(name);
    if (v === undefined) return fallback;
    if (v === true) throw new ArgsError(`--${name} needs a value`);
    return v;
  }

  number(name: string, fallback: number): number {
    const v = this.values.get(name);
    if (v === undefined) return fallback;
    const n = v === true ? Number.NaN : Number(v);
    if (!Number.isFinite(n)) throw new ArgsError(`--${name} needs a number, got "${String(v)}"`);
    return n;
  }

  choice<T extends string>(name: string, options: readonly T[], fallback: T): T {
    const v = this.string(name, fallback);
    const found = options.find((o) => o === v);
    if (found === undefined) throw new ArgsError(`--${name} must be one of ${options.join('|')}, got "${v}"`);
    return found;
  }

  /** A comma-separated list, e.g. `--only failover,steady`. */
  list(name: string): string[] | null {
    const v = this.values.get(name);
    if (v === undefined) return null;
    if (v === true) throw new ArgsError(`--${name} needs a value`);
    return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }
}
