// Checks a resource's inputs against the JSON Schema generated from the provider schema, before anything runs.
// Compiling a big type's schema costs each short-lived bridge process more CPU than everything else it does, so
// the compiled validator is kept as a standalone module in the user's cache, named after a hash of what the schema
// is made from (the type's and the provider's schema, and the code that turns them into JSON Schema), and
// later processes just load it without loading Ajv or the JSON Schema code at all.
import type { ErrorObject } from "ajv";
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import writeFileAtomic from "write-file-atomic";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { toPlainJson } from "../json/exact-json.js";
import { describeInputErrors } from "./input-errors.js";

export class InputValidationError extends Error {
  constructor(
    readonly resourceType: string,
    readonly problems: string[],
  ) {
    super(`${resourceType}: invalid inputs:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

const require = createRequire(import.meta.url);

// The modules that decide the JSON Schema: a rebuilt or upgraded package gets new cache entries.
const SCHEMA_MODULES = ["wire/json-schema", "wire/ajv", "wire/views", "wire/meta-arguments", "wire/object-members", "provider/read-schema"];

let fingerprint: string | undefined;
function codegenFingerprint(): string {
  fingerprint ??= SCHEMA_MODULES.map((module) => {
    for (const extension of [".js", ".ts"]) {
      try {
        const info = statSync(new URL(`../../opentofu/${module}${extension}`, import.meta.url));
        return `${module}:${info.size}:${info.mtimeMs}`;
      } catch {
        // the other extension (compiled or source)
      }
    }
    return `${module}:?`;
  }).join(",");
  return fingerprint;
}

async function compileStandalone(schema: object): Promise<{ validate: Validate; code: string }> {
  // Loaded only on a cache miss: Ajv itself is a good part of a bridge process's start-up.
  const { createInputAjv } = await import("../../opentofu/wire/ajv.js");
  const standalone = (await import("ajv/dist/standalone/index.js")).default as unknown as
    | ((ajv: unknown, validate: unknown) => string)
    | { default: (ajv: unknown, validate: unknown) => string };
  const toCode = typeof standalone === "function" ? standalone : standalone.default;
  // verbose: errors carry the failing sub-schema, which holds the valid names for "did you mean".
  const ajv = createInputAjv({ verbose: true, code: { source: true, esm: true } });
  const validate = ajv.compile(schema) as Validate;
  // Runtime helpers the code may import resolve from this package, not from the cache directory.
  const code = toCode(ajv, validate).replace(/(["'])(ajv\/dist\/runtime\/[^"']+)\1/g, (_m, q: string, spec: string) => {
    return `${q}${pathToFileURL(require.resolve(spec)).href}${q}`;
  });
  return { validate, code };
}

export class InputValidator {
  private readonly loaded = new Map<string, Validate>();

  /** `cacheDir`: where compiled validators are kept; without one, every process compiles its own. */
  constructor(private readonly cacheDir?: string) {}

  /** `source`: what the schema is generated from (its hash names the cached validator); `schema` builds it. */
  async validate(resourceType: string, source: unknown, schema: () => Promise<object>, inputs: unknown): Promise<void> {
    const validate = await this.validatorFor(resourceType, source, schema);
    if (validate(toPlainJson(inputs))) return;
    throw new InputValidationError(resourceType, describeInputErrors(validate.errors ?? []));
  }

  private async validatorFor(resourceType: string, source: unknown, schema: () => Promise<object>): Promise<Validate> {
    const known = this.loaded.get(resourceType);
    if (known) return known;
    const hash = createHash("sha256")
      .update(JSON.stringify([codegenFingerprint(), resourceType, source]))
      .digest("hex")
      .slice(0, 32);
    const path = this.cacheDir ? join(this.cacheDir, `${hash}.mjs`) : undefined;
    let validate: Validate | undefined;
    if (path) {
      try {
        validate = ((await import(pathToFileURL(path).href)) as { default: Validate }).default;
      } catch {
        // not compiled yet (or unreadable): compile below
      }
    }
    if (!validate) {
      const compiled = await compileStandalone(await schema());
      validate = compiled.validate;
      if (path && this.cacheDir) {
        await mkdir(this.cacheDir, { recursive: true, mode: 0o700 });
        await writeFileAtomic(path, compiled.code, { mode: 0o600 });
      }
    }
    this.loaded.set(resourceType, validate);
    return validate;
  }
}
