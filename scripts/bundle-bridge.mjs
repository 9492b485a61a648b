// Run by `npm run build` after tsc: bundles the bridge executable (dist/bridge/main.js and what it imports, npm
// packages included) and the provider host it starts into dist/bundle/. NixOps4 starts one bridge process per
// resource operation, 100 or 500 at once, and resolving and compiling ~100 separate modules was a third of each
// process's CPU before it could hand its operation over (docs/provider-host.md, "Where a bridge's CPU goes"). On a
// cold machine every bridge of a burst waits for the host's start, and loading it unbundled cost 0.66 CPU-s
// against 0.35 bundled. Dynamic imports stay separate chunks, so what only a cache miss or an error needs (Ajv's
// compiler, the codegen's schema emitter) is still loaded only then. The CLI and the state provider run once per
// deployment, so they stay unbundled.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist", "bundle");
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    bridge: join(root, "dist", "bridge", "main.js"),
    host: join(root, "dist", "bridge", "provider-host", "server", "host-main.js"),
  },
  outdir,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Bundled CommonJS packages call require() for Node's own modules and read __filename (write-file-atomic, for
  // unique temporary names); an ES module has neither of its own.
  banner: {
    js: [
      'import { createRequire as __bundleRequire } from "node:module";',
      'import { fileURLToPath as __bundlePath } from "node:url";',
      "const require = __bundleRequire(import.meta.url);",
      "const __filename = __bundlePath(import.meta.url);",
    ].join(" "),
  },
  // A dynamic import() of a CommonJS package comes out of a split bundle with only a default export, so the
  // bridge's lazy `const { dir } = await import("tmp-promise")` would find no `dir`: such packages stay with
  // Node's own loader.
  external: ["tmp-promise"],
  logLevel: "warning",
});
