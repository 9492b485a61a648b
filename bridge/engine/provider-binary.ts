// Finds a provider's executable in a filesystem mirror (unpacked layout, as nixpkgs' terraform-providers and
// `terraform providers mirror` lay it out): <dir>/<hostname>/<namespace>/<type>/<version>/<os>_<arch>/terraform-provider-<type>*
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ProviderRef } from "../../opentofu/provider/provider-address.js";

export function platformDir(): string {
  const os = process.platform === "win32" ? "windows" : process.platform;
  const arch = { x64: "amd64", ia32: "386", arm64: "arm64", arm: "arm" }[process.arch as string] ?? process.arch;
  return `${os}_${arch}`;
}

export function locateProviderBinary(dirs: (string | undefined)[], provider: ProviderRef): string | undefined {
  for (const dir of dirs) {
    if (!dir) continue;
    const folder = join(dir, provider.hostname, provider.namespace, provider.name, provider.version, platformDir());
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    const binary = names.find((n) => n.startsWith(`terraform-provider-${provider.name}`));
    if (binary && statSync(join(folder, binary)).isFile()) return join(folder, binary);
  }
  return undefined;
}
