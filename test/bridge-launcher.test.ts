// The bridge's launcher (bin/nixops4-resources-opentofu, what package.json's bin and the Nix package run) keeps
// NODE_EXTRA_CA_CERTS from the bridge's own Node, which would parse that bundle at every start for no TLS
// connection, and the bridge hands it on unchanged to the engine (both paths: its own engine, and the provider
// host's). A bundle that cannot be loaded makes Node warn on stderr at start, so the warning's absence shows that
// the bridge's Node never read it; an engine wrapper records what each engine command saw.
import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { execa } from "execa";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsBridgeEnv, type AwsBridgeEnv } from "../testkit/aws-bridge.js";
import { outputsOf, runBridge } from "../testkit/bridge-process.js";
import { engineBinary } from "../testkit/machine.js";
import { stopHosts } from "../testkit/hosts.js";
import { motoSdkConfig, startMoto, type MotoServer } from "../testkit/moto.js";

const MISSING_BUNDLE = "/nonexistent/nixops4-launcher-test/ca.pem";
const NODE_WARNING = /Ignoring extra certs from/;

let moto: MotoServer;
let bridge: AwsBridgeEnv;
let s3: S3Client;
const scratch = mkdtempSync(join(tmpdir(), "n4-launcher-"));
const seenLog = join(scratch, "engine-saw.txt");
const engine = join(scratch, "engine");

beforeAll(async () => {
  moto = await startMoto();
  s3 = new S3Client({ ...motoSdkConfig(moto), forcePathStyle: true });
  writeFileSync(
    engine,
    `#!/bin/sh\nprintf '%s\\n' "\${NODE_EXTRA_CA_CERTS-<unset>}" >> "${seenLog}"\nexec "${engineBinary()}" "$@"\n`,
  );
  chmodSync(engine, 0o755);
  bridge = awsBridgeEnv(moto, {
    NIXOPS4_OPENTOFU_ENGINE: engine,
    NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: join(scratch, "hosts"),
  });
});
afterAll(async () => {
  await stopHosts(join(scratch, "hosts"));
  bridge?.cleanup();
  await moto?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const create = (bucket: string) => ({
  createResourceRequest: {
    type: "aws_s3_bucket",
    inputProperties: { bucket, provider: bridge.provider, _member: ["launcher", bucket] },
    isStateful: true,
  },
});

describe("the bridge's launcher", () => {
  it("is what the warning check sees: Node itself warns about an unloadable CA bundle", async () => {
    const bare = await execa(process.execPath, ["-e", "0"], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: MISSING_BUNDLE },
    });
    expect(bare.stderr).toMatch(NODE_WARNING);
  });

  for (const path of ["provider host", "engine's own provider start"] as const) {
    it(`keeps NODE_EXTRA_CA_CERTS from the bridge's Node and hands it to the engine (${path})`, async () => {
      writeFileSync(seenLog, "");
      const bucket = `launcher-${path === "provider host" ? "host" : "local"}-${Date.now()}`;
      const run = await runBridge([create(bucket)], {
        env: {
          ...bridge.env,
          NODE_EXTRA_CA_CERTS: MISSING_BUNDLE,
          ...(path === "provider host" ? {} : { NIXOPS4_OPENTOFU_PROVIDER_HOST: "off" }),
        },
      });
      expect(run.exitCode, run.stderr).toBe(0);
      expect(outputsOf(run.responses[0]).bucket).toBe(bucket);
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));
      expect(run.stderr).not.toMatch(NODE_WARNING);
      const seen = readFileSync(seenLog, "utf8").trim().split("\n");
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen)).toEqual(new Set([MISSING_BUNDLE]));
    });
  }
});
