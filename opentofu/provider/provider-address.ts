// "hashicorp/aws@5.100.0" → the parts the engine and the filesystem mirror layout use.
export interface ProviderRef {
  /** As written in required_providers: "hashicorp/aws" or "registry.opentofu.org/hashicorp/aws". */
  source: string;
  version: string;
  hostname: string;
  namespace: string;
  /** The type name, also the local name used in main.tf.json ("aws"). */
  name: string;
  /** Fully qualified address as keys of `providers schema -json`: "registry.terraform.io/hashicorp/aws". */
  address: string;
}

export class ProviderRefError extends Error {}

export function parseProviderRef(spec: string, defaultHostname = "registry.terraform.io"): ProviderRef {
  const at = spec.lastIndexOf("@");
  if (at <= 0 || at === spec.length - 1) {
    throw new ProviderRefError(
      `provider "${spec}" must be SOURCE@VERSION, e.g. hashicorp/aws@5.100.0 (--provider or NIXOPS4_OPENTOFU_PROVIDER)`,
    );
  }
  const source = spec.slice(0, at);
  const version = spec.slice(at + 1);
  const parts = source.split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(p))) {
    throw new ProviderRefError(
      `provider source "${source}" must be NAMESPACE/TYPE or HOSTNAME/NAMESPACE/TYPE, e.g. hashicorp/aws`,
    );
  }
  if (!/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(version)) {
    throw new ProviderRefError(`provider version "${version}" must be an exact version such as 5.100.0`);
  }
  const [hostname, namespace, name] = parts.length === 3 ? parts : [defaultHostname, parts[0], parts[1]];
  const cleanVersion = version.replace(/^v/, "");
  return {
    source,
    version: cleanVersion,
    hostname: hostname.toLowerCase(),
    namespace: namespace!.toLowerCase(),
    name: name!.toLowerCase(),
    address: `${hostname.toLowerCase()}/${namespace!.toLowerCase()}/${name!.toLowerCase()}`,
  };
}
