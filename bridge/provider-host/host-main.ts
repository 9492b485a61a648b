#!/usr/bin/env node
// Entry point of a detached provider host process (spawned by the first bridge that needs it). Arguments carry
// no secrets; the provider's environment is this process's own environment.
import { parseArgs } from "node:util";
import { ProviderHost } from "./host-server.js";

const { values } = parseArgs({
  options: {
    key: { type: "string" },
    dir: { type: "string" },
    binary: { type: "string" },
    address: { type: "string" },
    version: { type: "string" },
    "idle-ms": { type: "string" },
    "max-uses": { type: "string" },
    "start-timeout-ms": { type: "string" },
    prune: { type: "string" },
  },
});

function required(name: keyof typeof values): string {
  const value = values[name];
  if (typeof value !== "string" || value === "") {
    process.stderr.write(`host-main: --${name} is required\n`);
    process.exit(2);
  }
  return value;
}

await ProviderHost.run({
  key: required("key"),
  dir: required("dir"),
  binaryPath: required("binary"),
  providerAddress: required("address"),
  providerVersion: required("version"),
  idleMs: Number(required("idle-ms")),
  maxUses: Number(required("max-uses")),
  startTimeoutMs: Number(required("start-timeout-ms")),
  prune: values.prune !== "off",
  env: process.env,
});
process.exit(0);
