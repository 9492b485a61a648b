// Type-checks generated TypeScript with the project's own compiler in one batch.
import { execa } from "execa";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** `tsc --strict --noEmit` over every .ts file under `dir`; resolves to tsc's diagnostics ("" when clean). */
export async function typeCheckDir(dir: string, include: string[] = ["**/*.ts"]): Promise<string> {
  const config = {
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      skipLibCheck: true,
      types: [],
    },
    include,
  };
  writeFileSync(join(dir, "tsconfig.check.json"), JSON.stringify(config));
  const result = await execa("npx", ["--no-install", "tsc", "-p", join(dir, "tsconfig.check.json")], {
    reject: false,
    cwd: process.cwd(),
  });
  return result.exitCode === 0 ? "" : `${result.stdout}\n${result.stderr}`.trim();
}
