// Starts a real moto server (a local AWS API) on loopback for tests, benchmarks and the demo: moto's own app,
// served by testkit/moto-serialized.py so that concurrent calls never meet moto's thread-unsafe models.
import { execa, type ResultPromise } from "execa";
import { createServer } from "node:net";
import { join } from "node:path";
import { repoRoot } from "./repo-root.js";

export interface MotoServer {
  endpoint: string;
  port: number;
  /** The server's process, for benchmarks that count its CPU time. */
  pid: number;
  /** Environment that points the AWS provider and the AWS SDK at this server. */
  env: Record<string, string>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("could not allocate a port"));
      });
    });
  });
}

async function waitUntilServing(endpoint: string, child: ResultPromise, deadlineMs: number): Promise<void> {
  const started = Date.now();
  let exited = false;
  child.then(
    () => (exited = true),
    () => (exited = true),
  );
  while (Date.now() - started < deadlineMs) {
    if (exited) throw new Error("the moto server exited before it served requests (python3 must import moto.server)");
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the moto server did not answer on ${endpoint} within ${deadlineMs} ms`);
}

export async function startMoto(options: { port?: number } = {}): Promise<MotoServer> {
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const script = join(repoRoot, "testkit", "moto-serialized.py");
  // NIXOPS4_OPENTOFU_TEST_MOTO_LOG names a file that gets a line per request: the call, the AWS SDK's attempt
  // number and the status (for telling a retry that met its own first attempt from two callers).
  const requestLog = process.env.NIXOPS4_OPENTOFU_TEST_MOTO_LOG;
  const args = [script, "-H", "127.0.0.1", "-p", String(port), ...(requestLog ? ["--request-log", requestLog] : [])];
  const child = execa("python3", args, {
    stdin: "ignore",
    stdout: "ignore",
    stderr: "ignore",
    reject: false,
    cleanup: true,
  });
  await waitUntilServing(endpoint, child, 30_000);
  return {
    endpoint,
    port,
    pid: child.pid!,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
    },
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
    },
    async stop() {
      child.kill("SIGTERM");
      await child;
    },
  };
}

/** The AWS SDK's client configuration against moto (its test keys), for reading results back independently of the
 * bridge. */
export function motoSdkConfig(moto: Pick<MotoServer, "endpoint">) {
  return {
    endpoint: moto.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
}

/** Provider configuration for the AWS provider against moto (sent as the reserved `provider` input). */
export function awsProviderConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    region: "us-east-1",
    access_key: "testing",
    secret_key: "testing",
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: "true",
    s3_use_path_style: true,
    ...extra,
  };
}
