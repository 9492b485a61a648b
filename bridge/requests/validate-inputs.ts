// Checks a resource's inputs against the JSON Schema generated from the provider schema, before anything runs.
// Compiling a big type's schema costs each short-lived bridge process more CPU than everything else it does, so
// the compiled validator is kept as a standalone module in the user's cache, named after a hash of what the schema
// is made from (the type's and the provider's schema) and of the build that made it (build-id.ts: the version and
// a content hash taken at build time, never file times, which are all 1 in the Nix store), and later processes
// just load it without loading Ajv or the codegen at all.
import type { ErrorObject } from "ajv";
import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import writeFileAtomic from "write-file-atomic";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildId } from "../build/build-id.js";
import { toPlainJson } from "../json/exact-json.js";
import { describeInputErrors } from "./input-errors.js";
import { compactForValidation } from "./validator-schema.js";
import type { JsonSchema } from "../../opentofu/wire/json-schema.js";

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

/** Ajv's standalone code reaches its runtime helpers (deep equality for long enums, string length, …) with
 * require(), which an ES module in the cache directory does not have: each becomes an import of the helper's file
 * in this package. Without this a validator that needs one fails to load, and every process compiles it anew. */
function asEsModule(code: string): string {
  const imports = new Map<string, string>();
  const body = code.replace(/\brequire\((["'])(ajv\/dist\/runtime\/[^"']+)\1\)/g, (_m, _q: string, spec: string) => {
    let name = imports.get(spec);
    if (!name) imports.set(spec, (name = `ajvRuntime${imports.size}`));
    return name;
  });
  const header = [...imports].map(
    ([spec, name]) => `import ${name} from ${JSON.stringify(pathToFileURL(require.resolve(spec)).href)};`,
  );
  return [...header, body].join("\n");
}

async function compileStandalone(schema: object): Promise<{ validate: Validate; code: string }> {
  // Loaded only on a cache miss: Ajv itself is a good part of a bridge process's start-up.
  const { createInputAjv } = await import("../../opentofu/wire/ajv.js");
  const standalone = (await import("ajv/dist/standalone/index.js")).default as unknown as
    ((ajv: unknown, validate: unknown) => string) | { default: (ajv: unknown, validate: unknown) => string };
  const toCode = typeof standalone === "function" ? standalone : standalone.default;
  // verbose: errors carry the failing sub-schema, which holds the valid names for "did you mean".
  const ajv = createInputAjv({ verbose: true, code: { source: true, esm: true } });
  const validate = ajv.compile(compactForValidation(schema as JsonSchema)) as Validate;
  return { validate, code: asEsModule(toCode(ajv, validate)) };
}

export class InputValidator {
  private readonly loaded = new Map<string, Validate>();

  /** `cacheDir`: where compiled validators are kept; without one, every process compiles its own. `build`: the
   * build whose validators they are (this one's unless told). */
  constructor(
    private readonly cacheDir?: string,
    private readonly build: string = buildId(),
  ) {}

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
      .update(JSON.stringify([this.build, resourceType, source]))
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
