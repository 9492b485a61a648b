import { describe, expect, it } from "vitest";
import { parseExact, stringifyExact } from "../json/exact-json.js";
import { locatedJson } from "./located-json.js";

describe("locatedJson", () => {
  const value = parseExact(
    '{"resource":{"aws_s3_bucket":{"this":{"bucket":"b","tags":{"Name":"x"},"n":[1,9007199254740993],"e":{}}}}}',
  );

  it("prints the same JSON as a standard pretty-printer", () => {
    expect(locatedJson(value).text).toBe(stringifyExact(value, 2) + "\n");
  });

  it("maps each line to the path of the value on it", () => {
    const { text, pathAtLine } = locatedJson(value);
    const lines = text.split("\n");
    const tagLine = lines.findIndex((l) => l.includes('"Name"')) + 1;
    expect(pathAtLine[tagLine]).toEqual(["resource", "aws_s3_bucket", "this", "tags", "Name"]);
    const bigLine = lines.findIndex((l) => l.includes("9007199254740993")) + 1;
    expect(pathAtLine[bigLine]).toEqual(["resource", "aws_s3_bucket", "this", "n", 1]);
  });
});
