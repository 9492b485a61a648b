import { describe, expect, it } from "vitest";
import { REDACTED, Redactor } from "./redactor.js";
import {
  addEnvironmentCredentials,
  addProviderCredentials,
  addSensitiveByBlock,
  addSensitiveOfState,
} from "./sensitive-values.js";

describe("Redactor", () => {
  it("removes secrets, longest first, also in JSON-escaped form", () => {
    const r = new Redactor();
    r.add("hunter2-secret");
    r.add('pa"ss\\word');
    expect(r.redact("x hunter2-secret y")).toBe(`x ${REDACTED} y`);
    expect(r.redact(JSON.stringify({ p: 'pa"ss\\word' }))).toBe(`{"p":"${REDACTED}"}`);
  });

  it("finds sensitive values by schema, by provider credential names, by state paths and in the environment", () => {
    const r = new Redactor();
    addSensitiveByBlock(
      r,
      {
        attributes: { value: { type: "string", sensitive: true }, name: { type: "string" } },
        block_types: {
          inner: { nesting_mode: "list", block: { attributes: { pw: { type: "string", sensitive: true } } } },
        },
      },
      { value: "s3cr3t-value", name: "public-name", inner: [{ pw: "nested-secret" }] },
    );
    addProviderCredentials(
      r,
      { attributes: {} },
      { region: "us-east-1", access_key: "AKIAEXAMPLE", assume_role: [{ session_name: "sess-1234" }] },
    );
    addSensitiveOfState(r, {
      record: {
        format: 1,
        mode: "managed",
        type: "t",
        providerAddress: "p",
        providerVersion: "1",
        lineage: "l",
        serial: 1,
        instance: { sensitive_attributes: [[{ type: "get_attr", value: "password" }]] },
      },
      attributes: { password: "state-secret" },
    });
    addEnvironmentCredentials(r, { AWS_SECRET_ACCESS_KEY: "env-secret-key", HOME: "/root" });
    const text =
      "s3cr3t-value public-name nested-secret us-east-1 AKIAEXAMPLE sess-1234 state-secret env-secret-key /root";
    expect(r.redact(text)).toBe(
      `${REDACTED} public-name ${REDACTED} us-east-1 ${REDACTED} ${REDACTED} ${REDACTED} ${REDACTED} /root`,
    );
  });
});
